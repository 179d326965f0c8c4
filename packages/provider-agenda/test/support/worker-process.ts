import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A fixture script running as a child process (`node --import tsx`), its stdout read line by line. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Every complete stdout line so far. */
  lines: string[];
  /** The first stdout line matching `pattern`; rejects after `timeoutMs`, or when the process exits first. */
  line(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** The exit code or signal, once it has exited; rejects after `timeoutMs`. */
  exited(timeoutMs: number): Promise<number | NodeJS.Signals>;
  stderr(): string;
}

/** Starts `test/fixtures/<script>` with `args`, from the repository root (where tsx resolves). */
export function startWorkerProcess(script: string, args: string[]): WorkerProcess {
  const file = fileURLToPath(new URL(`../fixtures/${script}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: fileURLToPath(new URL('../../../../', import.meta.url)),
  });
  const lines: string[] = [];
  let pending = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (pending + chunk.toString()).split('\n');
    pending = parts.pop()!;
    lines.push(...parts);
    notify();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? -1);
      notify();
    });
  });
  // A failing test must not leave a worker behind.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));

  return {
    child,
    lines,
    stderr: () => stderr,
    line(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const stop = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        const check = (): void => {
          const found = lines.find((line) => pattern.test(line));
          if (found !== undefined) {
            stop();
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            stop();
            reject(new Error(`${script} exited before printing ${pattern}; stderr: ${stderr.trim()}`));
          }
        };
        const timer = setTimeout(() => {
          stop();
          reject(new Error(`${script} printed nothing matching ${pattern} within ${timeoutMs} ms; stderr: ${stderr.trim()}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    exited(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${script} did not exit within ${timeoutMs} ms`)), timeoutMs);
      });
      return Promise.race([exit, late]).finally(() => clearTimeout(timer));
    },
  };
}
