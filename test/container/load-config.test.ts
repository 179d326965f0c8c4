import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@switchyard/container';

// An empty config directory, so that the repository's config/*.json does not leak in.
const emptyConfigDir = mkdtempSync(join(tmpdir(), 'switchyard-config-'));
const load = (env: Record<string, string>) => loadConfig({ SWITCHYARD_CONFIG_DIR: emptyConfigDir, ...env });

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    load(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to bull on a local Redis, as services expect', () => {
    const config = load({});
    expect(config.provider).to.equal('bull');
    expect(config.redisUrl).to.equal('redis://127.0.0.1:6379/0');
    expect(config.collection).to.equal('agenda_jobs');
    expect(config.attempts).to.equal(3);
    expect(config.backoff).to.deep.equal({ type: 'exponential', delayMs: 1000, maxDelayMs: 300_000, jitter: 0.2 });
    expect(config.bookingReminderOffsets.map((o) => o.label)).to.deep.equal(['24h', '1h', '15m']);
  });

  it('builds the Redis URL from its parts, password included', () => {
    const config = load({ REDIS_HOST: 'cache.internal', REDIS_PORT: '6380', REDIS_PASSWORD: 's3cr:t', REDIS_DB: '2' });
    const url = new URL(config.redisUrl);
    expect(url.hostname).to.equal('cache.internal');
    expect(url.port).to.equal('6380');
    expect(decodeURIComponent(url.password)).to.equal('s3cr:t');
    expect(url.pathname).to.equal('/2');
  });

  it('prefers REDIS_URL over the parts', () => {
    expect(load({ REDIS_URL: 'redis://other:7000', REDIS_HOST: 'ignored' }).redisUrl).to.equal('redis://other:7000');
  });

  it('reports every wrong variable at once, saying what each accepts', () => {
    const problems = problemsOf({
      QUEUE_PROVIDER: 'kafka',
      JOB_CONCURRENCY: '0',
      JOB_ATTEMPT_LIMIT: 'three',
      LOG_LEVEL: 'loud',
      LOG_FORMAT: 'xml',
      REDIS_PORT: '70000',
      JOB_BACKOFF_JITTER: '2',
      BOOKING_REMINDER_OFFSETS: '24h,soon',
      JOB_KEEP_COMPLETED: 'some',
      JOB_KEEP_FAILED: '24h,2d',
    });
    expect(problems.map((p) => p.variable)).to.have.members([
      'QUEUE_PROVIDER',
      'JOB_CONCURRENCY',
      'JOB_ATTEMPT_LIMIT',
      'LOG_LEVEL',
      'LOG_FORMAT',
      'REDIS_PORT',
      'JOB_BACKOFF_JITTER',
      'BOOKING_REMINDER_OFFSETS',
      'JOB_KEEP_COMPLETED',
      'JOB_KEEP_FAILED',
    ]);
    expect(problems.find((p) => p.variable === 'JOB_KEEP_COMPLETED')?.message).to.equal(
      "'some' is not 'all', 'none', a count (1000), an age (24h) or both (1000,24h)",
    );
    expect(problems.find((p) => p.variable === 'QUEUE_PROVIDER')?.message).to.equal(
      "'kafka' is not one of memory | bull | bullmq | agenda",
    );
    expect(problems.find((p) => p.variable === 'LOG_FORMAT')?.message).to.include('json | pretty');
  });

  it('never echoes the password of a malformed URL', () => {
    const [problem] = problemsOf({ MONGODB_URL: 'http://app:hunter2@db:27017/x' });
    expect(problem?.variable).to.equal('MONGODB_URL');
    expect(problem?.message).not.to.include('hunter2');
  });

  it('reads JOB_KEEP_COMPLETED and JOB_KEEP_FAILED as the default retention, keeping all when unset', () => {
    expect(load({})).to.deep.include({ keepCompleted: false, keepFailed: false });
    expect(load({ JOB_KEEP_COMPLETED: 'none', JOB_KEEP_FAILED: 'all' })).to.deep.include({
      keepCompleted: true,
      keepFailed: false,
    });
    expect(load({ JOB_KEEP_COMPLETED: '1000', JOB_KEEP_FAILED: '7d' })).to.deep.include({
      keepCompleted: 1000,
      keepFailed: { ageMs: 7 * 86_400_000 },
    });
    expect(load({ JOB_KEEP_COMPLETED: '24h, 1000' }).keepCompleted).to.deep.equal({ ageMs: 86_400_000, count: 1000 });
    expect(load({ JOB_KEEP_COMPLETED: '0' }).keepCompleted).to.equal(0);
  });

  it('reads payment offsets relative to the due date', () => {
    const config = load({ PAYMENT_REMINDER_OFFSETS: '-2d,0,+3d' });
    expect(config.paymentReminderOffsets).to.deep.equal([
      { label: 'before-2d', offsetMs: 2 * 86_400_000 },
      { label: 'due', offsetMs: 0 },
      { label: 'overdue-3d', offsetMs: -3 * 86_400_000 },
    ]);
  });

  it('takes per-environment defaults from config/<NODE_ENV>.json, under the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-config-'));
    writeFileSync(
      join(dir, 'production.json'),
      JSON.stringify({ LOG_FORMAT: 'json', LOG_LEVEL: 'warn', JOB_CONCURRENCY: 20 }),
    );
    const config = loadConfig({ SWITCHYARD_CONFIG_DIR: dir, NODE_ENV: 'production', LOG_LEVEL: 'error' });
    expect(config.log).to.deep.equal({ level: 'error', format: 'json' });
    expect(config.concurrency).to.equal(20);
  });

  describe('QUEUE_PROVIDER=bullmq', () => {
    it('runs on Redis by default, with REDIS_URL and QUEUE_PREFIX', () => {
      const config = load({ QUEUE_PROVIDER: 'bullmq', REDIS_URL: 'redis://cache:6380', QUEUE_PREFIX: 'billing' });
      expect(config).to.deep.include({
        provider: 'bullmq',
        bullmqBackend: 'redis',
        redisUrl: 'redis://cache:6380',
        prefix: 'billing',
        databaseUrl: undefined,
      });
    });

    it('runs on PostgreSQL with BULLMQ_BACKEND=postgres, DATABASE_URL and BULLMQ_SCHEMA (default switchyard)', () => {
      const url = 'postgres://app:s3cret@db.internal:5433/app';
      expect(load({ QUEUE_PROVIDER: 'bullmq', BULLMQ_BACKEND: 'postgres', DATABASE_URL: url })).to.deep.include({
        bullmqBackend: 'postgres',
        databaseUrl: url,
        bullmqSchema: 'switchyard',
      });
      const withSchema = load({
        QUEUE_PROVIDER: 'bullmq',
        BULLMQ_BACKEND: 'postgres',
        DATABASE_URL: 'postgresql://db/app',
        BULLMQ_SCHEMA: 'jobs_v2',
      });
      expect(withSchema.bullmqSchema).to.equal('jobs_v2');
    });

    it('needs DATABASE_URL on PostgreSQL, saying so', () => {
      const problems = problemsOf({ QUEUE_PROVIDER: 'bullmq', BULLMQ_BACKEND: 'postgres' });
      expect(problems.map((p) => p.variable)).to.deep.equal(['DATABASE_URL']);
      expect(problems[0]?.message).to.include('BULLMQ_BACKEND=postgres');
    });

    it('reports a wrong backend, URL and schema together, never echoing the password', () => {
      const problems = problemsOf({
        QUEUE_PROVIDER: 'bullmq',
        BULLMQ_BACKEND: 'mysql',
        DATABASE_URL: 'mysql://app:hunter2@db/app',
        BULLMQ_SCHEMA: '1-bad; drop',
      });
      expect(problems.map((p) => p.variable)).to.have.members(['BULLMQ_BACKEND', 'DATABASE_URL', 'BULLMQ_SCHEMA']);
      expect(problems.find((p) => p.variable === 'BULLMQ_BACKEND')?.message).to.include('redis | postgres');
      expect(JSON.stringify(problems)).not.to.include('hunter2');
    });

    it('checks BullMQ settings even for another provider, but lets them be (one environment may serve a migration between two)', () => {
      const env = { QUEUE_PROVIDER: 'bull', BULLMQ_BACKEND: 'postgres', BULLMQ_SCHEMA: 'jobs' };
      expect(load(env)).to.deep.include({ provider: 'bull', bullmqBackend: 'postgres', bullmqSchema: 'jobs' });
      expect(problemsOf({ ...env, BULLMQ_SCHEMA: 'no spaces' }).map((p) => p.variable)).to.deep.equal([
        'BULLMQ_SCHEMA',
      ]);
    });
  });
});
