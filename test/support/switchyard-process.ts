import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killWithTestProcess } from './kill-with-test-process.js';
import { waitUntil } from './wait-until.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The built bin, as npm links it: compiled JavaScript, no tsx (`npm test` builds first). */
export const switchyardBin = fileURLToPath(new URL('../../packages/cli/dist/bin/switchyard.js', import.meta.url));

/** `switchyard ...args` as a child process (node running the bin directly, so that signals reach it). */
export interface SwitchyardProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Waits until stdout or stderr matches `pattern`; rejects at the deadline or when the process exits first. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Waits until stderr (where progress goes) matches `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs: number): Promise<void>;
  exited(): Promise<number | NodeJS.Signals>;
}

/** Runs the bin from the repository root (or `cwd`) with this process's environment plus `env`. */
export function runSwitchyard(
  args: string[],
  env: Record<string, string> = {},
  cwd: string = repositoryRoot,
): SwitchyardProcess {
  const child = spawn(process.execPath, [switchyardBin, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exit = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  killWithTestProcess(child);
  const waitFor = async (stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs: number) => {
    await waitUntil(() => pattern.test(output[stream]) || child.exitCode !== null || child.signalCode !== null, {
      timeoutMs,
      message: `switchyard ${args.join(' ')} to print ${pattern} on ${stream}`,
    });
    if (!pattern.test(output[stream])) {
      throw new Error(
        `switchyard ${args.join(' ')} exited before printing ${pattern}: ${output.stdout}\n${output.stderr}`,
      );
    }
  };
  return {
    child,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    waitFor,
    waitForStderr: (pattern, timeoutMs) => waitFor('stderr', pattern, timeoutMs),
    exited: () => exit,
  };
}
