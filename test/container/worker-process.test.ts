import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitUntil } from '../support/wait-until.js';

const fixture = fileURLToPath(new URL('./fixtures/slow-job-worker.ts', import.meta.url));
const heldStartFixture = fileURLToPath(new URL('./fixtures/held-start-worker.ts', import.meta.url));

describe('worker process', () => {
  it('on SIGTERM lets the active job finish, then exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: { ...process.env, QUEUE_PROVIDER: 'memory', LOG_FORMAT: 'json', LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '5000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    await waitUntil(() => output.includes('job started slow-1'), { timeoutMs: 15_000, message: 'the job to start' });
    child.kill('SIGTERM');
    const code = await exited;

    expect(code, output).to.equal(0);
    const lines = output.split('\n');
    const finished = lines.findIndex((l) => l.includes('job finished slow-1'));
    const stopping = lines.findIndex((l) => l.includes('worker stopping'));
    const stopped = lines.findIndex((l) => l.includes('"worker stopped"'));
    expect(stopping, output).to.be.greaterThan(-1);
    expect(finished, output).to.be.greaterThan(stopping);
    expect(lines.some((l) => l.includes('completed slow-1')), output).to.equal(true);
    expect(stopped, output).to.be.greaterThan(finished);
  });

  it('a SIGTERM while it is still starting stops it once started: exit 0, not killed by the signal', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', heldStartFixture], {
      env: { ...process.env, QUEUE_PROVIDER: 'memory', LOG_FORMAT: 'json', LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '5000' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));

    await waitUntil(() => output.includes('configuring'), { timeoutMs: 15_000, message: 'the worker to reach its start-up hook' });
    child.kill('SIGTERM');
    child.stdin.end('go\n');

    expect(await exited, output).to.equal(0);
    const started = output.indexOf('"worker started"');
    expect(started, output).to.be.greaterThan(-1);
    expect(output.indexOf('"worker stopped"'), output).to.be.greaterThan(started);
  });

  it('exits 1 with the configuration problems when started with a bad environment', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: { ...process.env, QUEUE_PROVIDER: 'nope', JOB_CONCURRENCY: '-3' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).to.equal(1);
    expect(stderr).to.include('QUEUE_PROVIDER').and.include('JOB_CONCURRENCY');
  });
});
