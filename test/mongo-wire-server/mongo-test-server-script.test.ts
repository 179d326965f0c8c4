import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Resolves with the first line the child prints on stdout, or rejects after `timeoutMs`. */
function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`no output within ${timeoutMs} ms`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      resolve(buffered.slice(0, newline).trim());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${String(code)} before printing a line`));
    });
  });
}

describe('npm run mongo:test-server (scripts/mongo-test-server.ts)', function () {
  let child: ChildProcess | undefined;

  after(function () {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves in the foreground, prints its URI, and stops cleanly on SIGTERM', async function () {
    // Same command line as the npm script, with port 0 so the OS picks a free one.
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/mongo-test-server.ts', '--port', '0'], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const uri = await firstLine(child, 15_000);
    expect(uri).to.match(/^mongodb:\/\/127\.0\.0\.1:\d+$/);

    const client = await MongoClient.connect(`${uri}/script_check`, { serverSelectionTimeoutMS: 3000 });
    try {
      expect((await client.db().command({ ping: 1 })).ok).to.equal(1);
    } finally {
      await client.close();
    }

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).to.equal(0);
  });
});
