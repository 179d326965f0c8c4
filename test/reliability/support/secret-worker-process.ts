/**
 * The built worker (`switchyard worker`) as a child process, every byte of its stdout
 * and stderr captured, for tests that inspect what it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { killWithTestProcess } from '../../support/kill-with-test-process.js';
import { switchyardBin } from '../../support/switchyard-process.js';

export interface WorkerProcess {
  child: ChildProcess;
  /** stdout and stderr, interleaved as they arrived. */
  output(): string;
  exited: Promise<number | NodeJS.Signals>;
}

export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [switchyardBin, 'worker'], {
    env: { ...process.env, LOG_LEVEL: 'debug', LOG_FORMAT: 'json', SHUTDOWN_TIMEOUT_MS: '5000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  killWithTestProcess(child);
  return { child, output: () => output, exited };
}
