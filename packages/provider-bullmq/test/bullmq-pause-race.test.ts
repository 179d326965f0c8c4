/**
 * A claim that races a pause, on PostgreSQL. BullMQ's `move_to_active` reads the pause
 * flag, then (with a global concurrency set) takes an advisory lock, then selects the
 * next waiting job: each statement with a snapshot of its own. The test holds that lock,
 * so a worker's claim that has read "not paused" waits at it, then pauses the name,
 * schedules a job and lets the claim go on. The claim takes the job; the provider must
 * hand it back to waiting, unstarted, and run it once the name is resumed.
 *
 * Also: a name paused here and resumed by another provider on the same storage runs
 * here again (the provider does not go on handing its jobs back).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { PostgresConnection } from 'bullmq';
import { BullMQQueueProvider } from '@switchyard/provider-bullmq';
import { waitFor } from '@switchyard/core/testing';
import { startPostgres } from '../../../test/support/start-postgres.js';

const NAME = 'held';

describe('BullMQQueueProvider on PostgreSQL: a claim racing a pause', function () {
  this.timeout(30_000);
  let databaseUrl: string;
  let schema: string;
  let provider: BullMQQueueProvider;
  let other: BullMQQueueProvider | undefined;
  /** BullMQ's own connection to the schema, and one session of it for the test's transaction. */
  let connection: PostgresConnection;
  let client: Awaited<ReturnType<PostgresConnection['pool']['connect']>>;
  const started: string[] = [];

  /** The one job of the name, as BullMQ's table holds it. */
  const jobRow = async () => {
    const { rows } = await connection.pool.query<{ state: string; attempts_started: number }>(
      `SELECT state, attempts_started FROM job WHERE queue = $1`,
      [NAME],
    );
    expect(rows.length).to.be.at.most(1);
    return rows[0];
  };
  /** Polls that row until `wanted` holds. */
  const untilJobRow = (wanted: (row: Awaited<ReturnType<typeof jobRow>>) => boolean, message: string) =>
    waitFor(async () => wanted(await jobRow()), { timeoutMs: 10_000, intervalMs: 20, message });

  beforeEach(async () => {
    databaseUrl = (await startPostgres()).url;
    schema = `pause_race_${randomUUID().slice(0, 8)}`;
    provider = new BullMQQueueProvider({ backend: 'postgres', databaseUrl, schema });
    started.length = 0;
    provider.registerProcessor({
      name: NAME,
      process: async (job) => {
        started.push((job.data as { id: string }).id);
      },
    });
    await provider.connect();
    connection = new PostgresConnection({ connectionString: databaseUrl, schema, skipMigrations: true });
    await connection.waitUntilReady();
    client = await connection.pool.connect();
  });

  afterEach(async () => {
    client.release();
    await connection.close();
    await other?.close({ timeoutMs: 1000 });
    other = undefined;
    await provider.close({ timeoutMs: 1000 });
  });

  it('hands back to waiting, unstarted, a job claimed by a claim that read the flag before the pause', async () => {
    // A global concurrency makes BullMQ's claim take its advisory lock after the pause check.
    await client.query(`INSERT INTO meta (queue, field, value) VALUES ($1, 'concurrency', '10')`, [NAME]);
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('bullmq:concurrency:' || $1))`, [NAME]);
    await provider.start();
    await waitFor(
      async () => {
        // pg_locks shows a lock on a bigint key as its high 32 bits (classid) and low 32 (objid).
        const { rows } = await connection.pool.query(
          `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
              AND objid::bigint = (hashtext('bullmq:concurrency:' || $1)::bigint & 4294967295)`,
          [NAME],
        );
        return rows.length > 0;
      },
      { timeoutMs: 10_000, intervalMs: 20, message: "the worker's claim to wait at the lock" },
    );

    await provider.pause(NAME);
    await provider.scheduleJob(NAME, { id: 'raced' });
    await client.query('COMMIT');

    // The claim took the job (attempts_started 1); the provider must put it back, not run it.
    await untilJobRow((row) => row?.attempts_started === 1, 'the raced claim to take the job');
    await untilJobRow((row) => row?.state !== 'active', 'the claimed job to leave active');
    expect((await jobRow())?.state).to.equal('waiting');
    expect(started).to.deep.equal([]);

    await provider.resume(NAME);
    await untilJobRow((row) => row?.state === 'completed', 'the job to run once resumed');
    expect(started).to.deep.equal(['raced']);
  });

  it('runs the jobs of a name paused here once another provider resumed it', async () => {
    await provider.start();
    await provider.pause(NAME);
    other = new BullMQQueueProvider({ backend: 'postgres', databaseUrl, schema });
    await other.connect();
    await other.resume(NAME);

    await provider.scheduleJob(NAME, { id: 'after-resume' });
    await untilJobRow((row) => row?.state === 'completed', 'the job to run');
    expect(started).to.deep.equal(['after-resume']);
  });
});
