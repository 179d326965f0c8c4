/**
 * Passwords in connection URLs never show up anywhere: not in the worker's debug log,
 * not in any error (message, String(), stack, JSON) when a connection fails, not in the
 * migration CLI's output, whether it succeeds or fails. Real servers: password-protected
 * Redis servers and a PostgreSQL cluster (scram-sha-256) of our own, and the test MongoDB,
 * which refuses every login as mongod does for a wrong password.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Logger, QueueProvider } from '@switchyard/core';
import { BullQueueProvider } from '@switchyard/provider-bull';
import { AgendaQueueProvider } from '@switchyard/provider-agenda';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { startOwnRedis, type RedisServer } from '../support/start-redis.js';
import { startOwnPostgres, type PostgresServer } from '../support/start-postgres.js';
import { startMongo, type StartedMongo } from '../support/start-mongo.js';
import { runMigrateCli } from '../support/migrate-cli-process.js';
import { waitUntil } from '../support/wait-until.js';
import { assertNoSecret, everythingAbout } from './support/secret-leak-check.js';
import { startWorkerProcess } from './support/secret-worker-process.js';
import { freeLoopbackPort as closedPort } from '../support/free-port.js';

/** Distinctive, so a leak cannot hide behind a common word; the second one needs percent-encoding in a URL. */
const REDIS_PASSWORD = 'S3cr3t-redis-pw-9f2c';
const ENCODED_PASSWORD = 'p@ss:w/rd%';
const WRONG_PASSWORD = 'Wr0ng-guess-pw-41d7';
const MONGO_PASSWORD = 'M0ngo-s3cret-pw-c8e1';
/** Percent-encoded in a URL too, as PostgreSQL passwords with symbols must be. */
const POSTGRES_PASSWORD = 'Pg-s3cr3t:pw@5e0b';
const ALL_SECRETS = [REDIS_PASSWORD, ENCODED_PASSWORD, WRONG_PASSWORD, MONGO_PASSWORD, POSTGRES_PASSWORD];

const enc = encodeURIComponent;

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** A logger that keeps every entry, meta included, as the JSON a log shipper would get. */
function recordingLogger(): Logger & { text(): string } {
  const lines: string[] = [];
  const record = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    lines.push(
      `${level} ${message} ${JSON.stringify(meta ?? {}, (_key, value: unknown) => (value instanceof Error ? everythingAbout(value) : value))}`,
    );
  };
  return {
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
    text: () => lines.join('\n'),
  };
}

describe('secrets: connection passwords never printed', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let encodedRedis: RedisServer;
  let mongo: StartedMongo;
  let postgres: PostgresServer;

  before(async () => {
    [redis, encodedRedis, mongo, postgres] = await Promise.all([
      startOwnRedis({ password: REDIS_PASSWORD, quiet: true }),
      startOwnRedis({ password: ENCODED_PASSWORD, quiet: true }),
      startMongo(),
      startOwnPostgres({ password: POSTGRES_PASSWORD, quiet: true }),
    ]);
  });

  after(async () => {
    await Promise.all([redis.stop(), encodedRedis.stop(), postgres?.stop()]);
  });

  /** A PostgreSQL URL with `password`, on `port` (the cluster's by default). */
  const postgresUrl = (password: string, port = portOf(postgres.url)) =>
    `postgres://postgres:${enc(password)}@127.0.0.1:${port}/postgres`;

  const mongoUrlWithPassword = (database: string, host = new URL(mongo.uri).host) =>
    `mongodb://switchyard:${enc(MONGO_PASSWORD)}@${host}/${database}?authSource=admin`;

  describe('the worker process', () => {
    /** Each worker run: the password its URL holds, and the environment. */
    const runs: [string, () => { password: string; url: string; env: Record<string, string> }][] = [
      [
        'Bull with a plain',
        () => ({ password: REDIS_PASSWORD, url: redis.url, env: { QUEUE_PROVIDER: 'bull', REDIS_URL: redis.url } }),
      ],
      [
        'Bull with a percent-encoded',
        () => ({
          password: ENCODED_PASSWORD,
          url: encodedRedis.url,
          env: { QUEUE_PROVIDER: 'bull', REDIS_URL: encodedRedis.url },
        }),
      ],
      [
        'BullMQ on Redis with a percent-encoded',
        () => ({
          password: ENCODED_PASSWORD,
          url: encodedRedis.url,
          env: { QUEUE_PROVIDER: 'bullmq', REDIS_URL: encodedRedis.url },
        }),
      ],
      [
        'BullMQ on PostgreSQL with a percent-encoded',
        () => ({
          password: POSTGRES_PASSWORD,
          url: postgres.url,
          env: { QUEUE_PROVIDER: 'bullmq', BULLMQ_BACKEND: 'postgres', DATABASE_URL: postgres.url },
        }),
      ],
    ];
    for (const [label, server] of runs) {
      it(`runs on ${label} password at LOG_LEVEL=debug, stops on SIGTERM, and never prints it`, async () => {
        const { password, url, env } = server();
        expect(url).to.include(enc(password));
        const worker = startWorkerProcess({
          ...env,
          QUEUE_PREFIX: `secrets-${randomUUID()}`,
          BULLMQ_SCHEMA: `secrets_${randomUUID().slice(0, 8)}`,
        });
        await waitUntil(() => worker.output().includes('worker started') || worker.child.exitCode !== null, {
          timeoutMs: 20_000,
          message: 'the worker to start',
        });
        expect(worker.output(), worker.output()).to.include('worker started');
        worker.child.kill('SIGTERM');
        expect(await worker.exited, worker.output()).to.equal(0);
        expect(worker.output()).to.include('worker stopped');
        // The debug log mentions the connection, so the check is not vacuous.
        expect(worker.output()).to.match(/127\.0\.0\.1/);
        assertNoSecret(worker.output(), ALL_SECRETS, 'the worker log');
      });
    }

    const failingStarts: [string, () => Promise<Record<string, string>>][] = [
      [
        'a wrong Redis password',
        async () => ({
          QUEUE_PROVIDER: 'bull',
          REDIS_URL: `redis://:${enc(WRONG_PASSWORD)}@127.0.0.1:${portOf(redis.url)}`,
        }),
      ],
      [
        'a closed Redis port',
        async () => ({
          QUEUE_PROVIDER: 'bull',
          REDIS_URL: `redis://:${enc(ENCODED_PASSWORD)}@127.0.0.1:${await closedPort()}`,
        }),
      ],
      [
        'a wrong Redis password (BullMQ)',
        async () => ({
          QUEUE_PROVIDER: 'bullmq',
          REDIS_URL: `redis://:${enc(WRONG_PASSWORD)}@127.0.0.1:${portOf(redis.url)}`,
        }),
      ],
      [
        'a wrong PostgreSQL password',
        async () => ({
          QUEUE_PROVIDER: 'bullmq',
          BULLMQ_BACKEND: 'postgres',
          DATABASE_URL: postgresUrl(WRONG_PASSWORD),
        }),
      ],
      [
        'a closed PostgreSQL port',
        async () => ({
          QUEUE_PROVIDER: 'bullmq',
          BULLMQ_BACKEND: 'postgres',
          DATABASE_URL: postgresUrl(POSTGRES_PASSWORD, await closedPort()),
        }),
      ],
      [
        'a refused MongoDB login',
        async () => ({ QUEUE_PROVIDER: 'agenda', MONGODB_URL: mongoUrlWithPassword('secrets_worker') }),
      ],
      [
        'a closed MongoDB port',
        async () => ({
          QUEUE_PROVIDER: 'agenda',
          MONGODB_URL: mongoUrlWithPassword('secrets_worker', `127.0.0.1:${await closedPort()}`),
        }),
      ],
    ];
    for (const [label, environment] of failingStarts) {
      it(`exits 1 on ${label} without printing the password`, async () => {
        const worker = startWorkerProcess(await environment());
        expect(await worker.exited, worker.output()).to.equal(1);
        expect(worker.output()).to.include('failed to start');
        assertNoSecret(worker.output(), ALL_SECRETS, `the worker's output on ${label}`);
      });
    }
  });

  describe('providers used directly', () => {
    const failingProviders: [string, (logger: Logger) => Promise<QueueProvider>][] = [
      [
        'Bull, wrong password',
        async (logger) =>
          new BullQueueProvider({
            redisUrl: `redis://:${enc(WRONG_PASSWORD)}@127.0.0.1:${portOf(redis.url)}`,
            prefix: `secrets-${randomUUID()}`,
            connectTimeoutMs: 2_000,
            logger,
          }),
      ],
      [
        'Bull, right password but as another user',
        async (logger) =>
          new BullQueueProvider({
            redisUrl: `redis://nobody:${enc(REDIS_PASSWORD)}@127.0.0.1:${portOf(redis.url)}`,
            prefix: `secrets-${randomUUID()}`,
            connectTimeoutMs: 2_000,
            logger,
          }),
      ],
      [
        'Bull, closed port',
        async (logger) =>
          new BullQueueProvider({
            redisUrl: `redis://:${enc(ENCODED_PASSWORD)}@127.0.0.1:${await closedPort()}`,
            prefix: `secrets-${randomUUID()}`,
            connectTimeoutMs: 2_000,
            logger,
          }),
      ],
      [
        'BullMQ on Redis, wrong password',
        async (logger) =>
          new BullMQQueueProvider({
            redisUrl: `redis://:${enc(WRONG_PASSWORD)}@127.0.0.1:${portOf(redis.url)}`,
            prefix: `secrets-${randomUUID()}`,
            connectTimeoutMs: 2_000,
            logger,
          }),
      ],
      [
        'BullMQ on PostgreSQL, wrong password',
        async (logger) =>
          new BullMQQueueProvider({
            backend: 'postgres',
            databaseUrl: postgresUrl(WRONG_PASSWORD),
            connectTimeoutMs: 2_000,
            logger,
          }),
      ],
      [
        'BullMQ on PostgreSQL, right password but as another user',
        async (logger) =>
          new BullMQQueueProvider({
            backend: 'postgres',
            databaseUrl: postgresUrl(POSTGRES_PASSWORD).replace('//postgres:', '//nobody:'),
            connectTimeoutMs: 2_000,
            logger,
          }),
      ],
      [
        'BullMQ on PostgreSQL, closed port',
        async (logger) =>
          new BullMQQueueProvider({
            backend: 'postgres',
            databaseUrl: postgresUrl(POSTGRES_PASSWORD, await closedPort()),
            connectTimeoutMs: 2_000,
            logger,
          }),
      ],
      [
        'Agenda, refused login',
        async (logger) =>
          new AgendaQueueProvider({
            mongoUrl: mongoUrlWithPassword('secrets_direct'),
            collection: 'jobs',
            connectTimeoutMs: 2_000,
            logger,
          }),
      ],
      [
        'Agenda, closed port',
        async (logger) =>
          new AgendaQueueProvider({
            mongoUrl: mongoUrlWithPassword('secrets_direct', `127.0.0.1:${await closedPort()}`),
            collection: 'jobs',
            connectTimeoutMs: 2_000,
            logger,
          }),
      ],
    ];
    for (const [label, make] of failingProviders) {
      it(`${label}: connect() rejects, and neither the error nor the log nor an 'error' event shows the password`, async () => {
        const logger = recordingLogger();
        const provider = await make(logger);
        const events: unknown[] = [];
        provider.on('error', (error) => events.push(error));
        const failure = await provider.connect().then(
          () => undefined,
          (error: unknown) => error,
        );
        await provider.close({ timeoutMs: 1_000 }).catch((error: unknown) => events.push(error));
        expect(failure, 'connect() should have failed').to.be.instanceOf(Error);
        const captured = [everythingAbout(failure), ...events.map(everythingAbout), logger.text()].join('\n');
        assertNoSecret(captured, ALL_SECRETS, `${label}: the error, events and log`);
      });
    }
  });

  describe('the migration CLI', () => {
    async function seedJobs(url: string, prefix: string, count: number): Promise<void> {
      const provider = new BullQueueProvider({ redisUrl: url, prefix });
      await provider.connect();
      for (let i = 0; i < count; i += 1) await provider.scheduleJob('secret-email', { n: i }, { delayMs: 86_400_000 });
      await provider.close({ timeoutMs: 1_000 });
    }

    it('copies jobs between two password-protected Redis servers, table and JSON output alike, without printing either password', async () => {
      const prefix = `secrets-${randomUUID()}`;
      await seedJobs(redis.url, prefix, 3);
      for (const format of [[], ['--json']]) {
        const cli = runMigrateCli(
          ['--from', 'bull', '--to', 'bull', '--from-url', redis.url, '--to-url', encodedRedis.url, ...format],
          {
            QUEUE_PREFIX: prefix,
            LOG_LEVEL: 'debug',
          },
        );
        const code = await cli.exited();
        const output = `${cli.stdout()}\n${cli.stderr()}`;
        expect(code, output).to.equal(0);
        expect(output).to.match(format.length === 0 ? /Every selected job is on the target/ : /"complete": true/);
        assertNoSecret(output, ALL_SECRETS, `the CLI's output (${format.join(' ') || 'table'})`);
      }
    });

    const failingMigrations: [string, () => Promise<string[]>][] = [
      [
        'a wrong source password',
        async () => [
          '--from',
          'bull',
          '--to',
          'bull',
          '--from-url',
          `redis://:${enc(WRONG_PASSWORD)}@127.0.0.1:${portOf(redis.url)}`,
          '--to-url',
          encodedRedis.url,
        ],
      ],
      [
        'a closed target port',
        async () => [
          '--from',
          'bull',
          '--to',
          'bull',
          '--from-url',
          redis.url,
          '--to-url',
          `redis://:${enc(ENCODED_PASSWORD)}@127.0.0.1:${await closedPort()}`,
        ],
      ],
      [
        'a refused MongoDB login on the target',
        async () => [
          '--from',
          'bull',
          '--to',
          'agenda',
          '--from-url',
          redis.url,
          '--to-url',
          mongoUrlWithPassword('secrets_cli'),
        ],
      ],
      [
        'a URL the CLI cannot parse',
        async () => [
          '--from',
          'bull',
          '--to',
          'bull',
          '--from-url',
          `redis://:${REDIS_PASSWORD}@[bad-host:1`,
          '--to-url',
          encodedRedis.url,
        ],
      ],
    ];
    for (const [label, args] of failingMigrations) {
      it(`fails on ${label} (exit 2) without printing any password`, async () => {
        const cli = runMigrateCli(await args(), { QUEUE_PREFIX: `secrets-${randomUUID()}`, LOG_LEVEL: 'debug' });
        const code = await cli.exited();
        const output = `${cli.stdout()}\n${cli.stderr()}`;
        expect(code, output).to.equal(2);
        expect(cli.stderr()).to.match(/^switchyard migrate: /);
        assertNoSecret(output, ALL_SECRETS, `the CLI's output on ${label}`);
      });
    }
  });
});
