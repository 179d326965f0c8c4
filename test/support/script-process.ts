import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killWithTestProcess } from './kill-with-test-process.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A TypeScript fixture script running as a child process, its stdout read line by line. */
export interface ScriptProcess {
  child: ChildProcess;
  /** Every complete stdout line so far. */
  lines: string[];
  /** The first stdout line matching `pattern`; rejects after `timeoutMs`, or when the process exits first. */
  line(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** The exit code or signal, once it has exited; rejects after `timeoutMs`. */
  exited(timeoutMs: number): Promise<number | NodeJS.Signals>;
  stderr(): string;
}

/**
 * Runs `script` (a URL, usually `new URL('./fixtures/x.ts', import.meta.url)`) with
 * `node --import tsx` from the repository root, where tsx resolves, with this process's
 * environment plus `env`. stdin is a pipe, for fixtures that wait for a go signal.
 */
export function runScript(script: URL, args: string[], env: Record<string, string> = {}): ScriptProcess {
  const name = basename(fileURLToPath(script));
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(script), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: repositoryRoot,
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const wakeWaiters = (): void => {
    for (const wake of [...waiters]) wake();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    const complete = (partial + chunk.toString()).split('\n');
    partial = complete.pop()!;
    lines.push(...complete);
    wakeWaiters();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? -1);
      wakeWaiters();
    });
  });
  killWithTestProcess(child);

  return {
    child,
    lines,
    stderr: () => stderr,
    line(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const finish = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        const check = (): void => {
          const found = lines.find((line) => pattern.test(line));
          if (found !== undefined) {
            finish();
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            finish();
            reject(new Error(`${name} exited before printing ${pattern}; stderr: ${stderr.trim()}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(`${name} printed no line matching ${pattern} within ${timeoutMs} ms; stderr: ${stderr.trim()}`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    exited(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${name} did not exit within ${timeoutMs} ms; stderr: ${stderr.trim()}`)),
          timeoutMs,
        );
      });
      return Promise.race([exit, late]).finally(() => clearTimeout(timer));
    },
  };
}
