import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './wait-until.js';
import { killWithTestProcess } from './kill-with-test-process.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** `npm run migrate -- ...args` as a child process (without npm in between, so signals reach it). */
export interface MigrateCliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Waits until stderr (where progress goes) matches `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs: number): Promise<void>;
  exited(): Promise<number | NodeJS.Signals>;
}

export function runMigrateCli(args: string[], env: Record<string, string> = {}): MigrateCliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/migrate-jobs.ts', ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  killWithTestProcess(child);
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderr: (pattern, timeoutMs) =>
      waitUntil(() => pattern.test(stderr) || child.exitCode !== null, { timeoutMs, message: String(pattern) }).then(() => {
        if (!pattern.test(stderr)) throw new Error(`CLI exited before printing ${pattern}: ${stderr}`);
      }),
    exited: () => exit,
  };
}
