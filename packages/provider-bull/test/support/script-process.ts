import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A TypeScript script of `test/fixtures` running as a child process, read line by line. */
export interface ScriptProcess {
  child: ChildProcess;
  /** Every stdout line so far. */
  lines: string[];
  /** The first stdout line matching `pattern`, waiting for it up to `timeoutMs`. */
  line(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves with the exit code (or signal) once the process has exited, rejects after `timeoutMs`. */
  exited(timeoutMs: number): Promise<number | NodeJS.Signals>;
  stderr(): string;
}

/** Runs `test/fixtures/<script>` with `node --import tsx`, from the repository root. */
export function runScript(script: string, args: string[]): ScriptProcess {
  const file = fileURLToPath(new URL(`../fixtures/${script}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: fileURLToPath(new URL('../../../../', import.meta.url)),
  });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const complete = partial.split('\n');
    partial = complete.pop()!;
    lines.push(...complete);
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => {
      for (const wake of waiters) wake();
      resolve(code ?? signal ?? -1);
    });
  });
  // A failing test must not leave the script running.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));

  return {
    child,
    lines,
    stderr: () => stderr,
    line(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = lines.find((line) => pattern.test(line));
          if (found !== undefined) {
            finish();
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            finish();
            reject(new Error(`${script} exited before printing ${pattern}; stderr: ${stderr.trim()}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`${script} printed no line matching ${pattern} within ${timeoutMs} ms; stderr: ${stderr.trim()}`));
        }, timeoutMs);
        const finish = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        exit,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${script} did not exit within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
    },
  };
}
