/**
 * The packages as a user gets them: every workspace package packed with `npm pack`,
 * the tarballs installed with `npm install` into a new project in a temporary folder
 * outside the repository (third-party dependencies from the npm registry, or npm's
 * cache), and used there the three ways Switchyard is used: the `switchyard` command,
 * an ESM service, and a CommonJS one (require() of ESM packages, Node 20.19+).
 */
import { expect } from 'chai';
import { execFile, type ExecFileException } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { startMongo, mongoUriForDatabase, uniqueDatabaseName } from '../support/start-mongo.js';
import { startRedis } from '../support/start-redis.js';
import { startPostgres } from '../support/start-postgres.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const DAY = 86_400_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * This process's environment without npm's own variables (`npm test` sets npm_config_*,
 * which would point npm and the CLI back at the repository) and without any Switchyard
 * setting, so that each run says exactly what it is configured with.
 */
function cleanEnvironment(): Record<string, string> {
  const settings = /^(npm_|QUEUE_|REDIS_|MONGODB_URL$|DATABASE_URL$|BULLMQ_|LOG_|NODE_ENV$|SWITCHYARD_|ADMIN_)/;
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !settings.test(entry[0]),
    ),
  );
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { ...cleanEnvironment(), ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error: ExecFileException | null, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
      },
    );
  });
}

describe('the packages installed from their tarballs, outside the repository', function () {
  // npm install from the registry (or its cache) takes a while on a shared machine.
  this.timeout(600_000);
  let folder: string;
  let project: string;
  let redisUrl: string;
  const switchyard = (args: string[], env: Record<string, string> = {}) =>
    run(join(project, 'node_modules', '.bin', 'switchyard'), args, project, env);

  before(async () => {
    redisUrl = (await startRedis()).url;
    folder = mkdtempSync(join(tmpdir(), 'switchyard-installed-'));
    const tarballs = join(folder, 'tarballs');
    project = join(folder, 'service');
    mkdirSync(tarballs);
    mkdirSync(project);

    const pack = await run('npm', ['pack', '--workspaces', '--pack-destination', tarballs, '--silent'], repositoryRoot);
    expect(pack.code, pack.stderr).to.equal(0);
    const files = readdirSync(tarballs).filter((file) => file.endsWith('.tgz'));
    expect(files).to.include.members([
      'switchyard-cli-0.1.0.tgz',
      'switchyard-core-0.1.0.tgz',
      'switchyard-provider-bull-0.1.0.tgz',
      'switchyard-provider-bullmq-0.1.0.tgz',
    ]);

    // A CommonJS project (no "type"), as most existing services are.
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'a-service', version: '1.0.0', private: true }, null, 2)}\n`,
    );
    const install = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...files.map((file) => join(tarballs, file))],
      project,
      {},
      540_000,
    );
    expect(install.code, `${install.stdout}\n${install.stderr}`).to.equal(0);
    for (const fixture of ['schedule-and-process.mjs', 'schedule-and-process.cjs']) {
      copyFileSync(new URL(`./fixtures/${fixture}`, import.meta.url), join(project, fixture));
    }
  });
  after(() => {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it('npx switchyard --help', async () => {
    // --no-install: the local bin or nothing, never a package of that name from the registry.
    const help = await run('npx', ['--no-install', 'switchyard', '--help'], project);
    expect(help.code, help.stderr).to.equal(0);
    expect(help.stdout)
      .to.match(/^Usage: switchyard /)
      .and.match(/^ {2}jobs /m)
      .and.match(/^ {2}migrate /m);
  });

  it('switchyard jobs list against Redis, configured from the environment', async () => {
    const env = { QUEUE_PROVIDER: 'bull', REDIS_URL: `${redisUrl}/7`, QUEUE_PREFIX: `installed-jobs-${Date.now()}` };
    const queue = new BullQueueProvider({ redisUrl: env.REDIS_URL, prefix: env.QUEUE_PREFIX });
    await queue.connect();
    await queue.scheduleJob('email', { to: 'ada@example.com' }, { jobId: 'welcome-ada', delayMs: DAY });
    await queue.close();

    const table = await switchyard(['jobs', 'list'], env);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.match(/^welcome-ada\s+email\s+scheduled\s/m);
    const listed = await switchyard(['jobs', 'list', '--json'], env);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((job) => job.id)).to.deep.equal(['welcome-ada']);
  });

  it('switchyard migrate from Bull on Redis to Agenda on MongoDB', async () => {
    const mongo = await startMongo();
    const mongoUrl = mongoUriForDatabase(mongo.uri, uniqueDatabaseName('installed'));
    const fromUrl = `${redisUrl}/8`;
    const prefix = `installed-migrate-${Date.now()}`;
    const source = new BullQueueProvider({ redisUrl: fromUrl, prefix });
    await source.connect();
    const runAt = new Date(Date.now() + 30 * DAY);
    for (let i = 0; i < 20; i += 1) await source.scheduleJob('reminder', { i }, { jobId: `reminder-${i}`, runAt });

    const target = new AgendaQueueProvider({ mongoUrl, collection: 'agenda_jobs' });
    try {
      const migration = await switchyard(
        [
          'migrate',
          '--from',
          'bull',
          '--to',
          'agenda',
          '--from-url',
          fromUrl,
          '--to-url',
          mongoUrl,
          '--mode',
          'move',
          '--json',
        ],
        {
          QUEUE_PREFIX: prefix,
        },
      );
      expect(migration.code, migration.stderr).to.equal(0);
      expect(JSON.parse(migration.stdout)).to.deep.include({ complete: true, from: 'bull', to: 'agenda' });

      await target.connect();
      const moved = await target.listJobs({ names: ['reminder'] });
      expect(moved.map((job) => job.id).sort()).to.deep.equal(
        Array.from({ length: 20 }, (_, i) => `reminder-${i}`).sort(),
      );
      expect(moved.every((job) => job.state === 'scheduled' && job.runAt?.getTime() === runAt.getTime())).to.equal(
        true,
      );
      expect(await source.listJobs()).to.deep.equal([]);
    } finally {
      await Promise.all([source.close(), target.close()]);
      const client = await MongoClient.connect(mongoUrl);
      await client.db().dropDatabase();
      await client.close();
    }
  });

  it('an ESM script schedules and processes a job on Bull through createContainer()', async () => {
    const script = await run(process.execPath, ['schedule-and-process.mjs'], project, {
      QUEUE_PROVIDER: 'bull',
      REDIS_URL: `${redisUrl}/9`,
      QUEUE_PREFIX: `installed-esm-${Date.now()}`,
      LOG_LEVEL: 'warn',
    });
    expect(script.code, script.stderr).to.equal(0);
    expect(script.stdout).to.equal('processed greeting-esm on bull: hello ada\n');
  });

  it('the same ESM script on BullMQ with PostgreSQL: bullmq and pg installed with the package', async () => {
    const script = await run(process.execPath, ['schedule-and-process.mjs'], project, {
      QUEUE_PROVIDER: 'bullmq',
      BULLMQ_BACKEND: 'postgres',
      DATABASE_URL: (await startPostgres()).url,
      BULLMQ_SCHEMA: `installed_${process.pid}`,
      LOG_LEVEL: 'warn',
    });
    expect(script.code, script.stderr).to.equal(0);
    expect(script.stdout).to.equal('processed greeting-esm on bullmq: hello ada\n');
  });

  it('a CommonJS script require()s the packages, builds the reminder scheduler by hand and processes a reminder', async () => {
    const script = await run(process.execPath, ['schedule-and-process.cjs'], project, {
      REDIS_URL: `${redisUrl}/10`,
      QUEUE_PREFIX: `installed-cjs-${Date.now()}`,
    });
    expect(script.code, script.stderr).to.equal(0);
    expect(script.stdout).to.equal(
      'scheduled booking:b-cjs:24h, booking:b-cjs:1h, booking:b-cjs:15m\nsent email to ada@example.com for booking:b-cjs:24h\n',
    );
  });
});
