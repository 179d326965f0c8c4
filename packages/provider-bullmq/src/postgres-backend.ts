/**
 * BullMQ on PostgreSQL through `pg`: BullMQ 6's own PostgreSQL backend
 * (`withBackend(createPostgresBackend)`), in one schema of one database. The schema is
 * the namespace (BullMQ's `prefix` is a Redis notion it ignores): one schema = one
 * isolated provider.
 *
 * `open()` connects one small pool of the provider's own, runs BullMQ's schema
 * migrations on it (`migrate: true`: an advisory lock makes concurrent processes take
 * turns), and creates the job directory's table; it fails within `connectTimeoutMs`
 * with host and port. Every `Queue` then works on that pool; each `Worker` gets a
 * connection config with `skipMigrations: true`, so BullMQ builds its pool and its
 * `LISTEN` client and only checks the schema version. Queries time out after `commandTimeoutMs`, so a
 * call made while PostgreSQL is down rejects instead of waiting.
 */
import {
  PostgresConnection,
  PostgresQueueBackend,
  Queue,
  createPostgresBackend,
  withBackend,
  type BackendFactory,
  type Job,
  type JobState as BullMQState,
  type PostgresConnectionOptions,
  type QueueOptions,
  type Worker,
  type WorkerOptions,
} from 'bullmq';
import { ProviderUnavailableError, endpointOf, type Endpoint } from '@switchyard/core';
import { withDeadline } from '@switchyard/core/provider-kit';
import type { BullMQBackend, BullMQProcessor, FinishedJob } from './bullmq-backend.js';
import { CONNECTION_ERROR_PATTERN, redactedFailure } from './connection-failure.js';
import type { JobDirectory } from './job-directory.js';
import { mapInPages } from './in-pages.js';
import { PostgresJobDirectory } from './postgres-job-directory.js';

export const DEFAULT_POSTGRES_PORT = 5432;
/** The provider's own pool, shared by its queues (a worker has a pool of its own). */
const CONTROL_POOL_SIZE = 10;

const { Worker: PostgresWorker } = withBackend(createPostgresBackend);

export class PostgresBackend implements BullMQBackend {
  readonly kind = 'postgres';
  readonly endpoint: Endpoint;
  readonly directory: JobDirectory;
  private connection: PostgresConnection | undefined;
  private established = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly schema: string,
    private readonly options: { connectTimeoutMs: number; commandTimeoutMs: number; onError: (error: Error) => void },
  ) {
    this.endpoint = endpointOf(databaseUrl, DEFAULT_POSTGRES_PORT);
    this.directory = new PostgresJobDirectory(() => this.control());
  }

  async open(): Promise<void> {
    const connection = new PostgresConnection({ ...this.poolConfig(CONTROL_POOL_SIZE), migrate: true });
    let lastError: Error | undefined;
    connection.on('error', (error: Error) => {
      if (this.established) this.options.onError(error);
      else lastError = error;
    });
    this.connection = connection;
    try {
      await withDeadline(
        (async () => {
          await connection.waitUntilReady();
          await this.directory.prepare();
        })(),
        this.options.connectTimeoutMs,
        'no answer',
      );
      this.established = true;
    } catch (error) {
      this.connection = undefined;
      connection.close().catch(() => {});
      throw this.unavailable(lastError ?? error);
    }
  }

  newQueue(name: string, options: Omit<QueueOptions, 'connection'>): Queue {
    // Every queue shares the provider's pool: a backend that does not own its connection,
    // as BullMQ makes for a flow's other queues (`forQueue`). A pool per queue would cost
    // a connection, and a schema check, at the first call for each name.
    const sharedPool: BackendFactory<PostgresQueueBackend, PostgresConnectionOptions> = (queueName, queueOptions) =>
      new PostgresQueueBackend(this.control(), queueName, queueOptions, false);
    return new Queue(name, { ...options, connection: this.databaseUrl }, sharedPool) as unknown as Queue;
  }

  newWorker(name: string, processor: BullMQProcessor, options: Omit<WorkerOptions, 'connection'>): Worker {
    const { query_timeout: _unused, ...config } = this.poolConfig(2);
    return new PostgresWorker(name, processor, {
      ...options,
      connection: { ...config, skipMigrations: true },
    }) as unknown as Worker;
  }

  async addFinishedJob(name: string, job: FinishedJob): Promise<void> {
    // A row of BullMQ's `job` table as its own functions leave a finished job (0001_schema.sql).
    await this.control().pool.query(
      `INSERT INTO job (queue, id, seq, name, state, data, opts, priority, delay_ms, max_attempts, attempts_made,
                        attempts_started, added_at_ms, processed_at_ms, finished_at_ms, failed_reason)
       VALUES ($1, $2, nextval('job_seq'), $1, $3::job_state, $4::jsonb, $5::jsonb, $6, 0, $7, $8, $8, $9, $10, $10, $11)`,
      [
        name,
        job.id,
        job.state,
        JSON.stringify(job.data),
        JSON.stringify(job.opts),
        job.opts.priority ?? 0,
        job.opts.attempts ?? 1,
        job.attemptsMade,
        job.timestamp,
        job.finishedOn,
        job.failedReason ?? null,
      ],
    );
  }

  async jobsIn(queue: Queue, state: BullMQState): Promise<Job[]> {
    // Not BullMQ's `getJobs`, which reads every job of the state at once.
    const ids = await queue.getRanges([state], 0, -1, true);
    const jobs = await mapInPages(ids, CONTROL_POOL_SIZE, (id) => queue.getJob(id));
    return jobs.filter((job): job is Job => job != null);
  }

  async dueTimesOf(name: string, bullmqJobIds: readonly string[]): Promise<Map<string, number>> {
    const due = new Map<string, number>();
    if (bullmqJobIds.length === 0) return due;
    const { rows } = await this.control().pool.query(
      `SELECT id, process_at_ms FROM job WHERE queue = $1 AND id = ANY($2::text[]) AND state = 'delayed'`,
      [name, bullmqJobIds],
    );
    for (const { id, process_at_ms } of rows as { id: string; process_at_ms: unknown }[]) {
      if (process_at_ms !== null && process_at_ms !== undefined) due.set(id, Number(process_at_ms));
    }
    return due;
  }

  async ping(): Promise<void> {
    await this.control().pool.query('SELECT 1');
  }

  isConnectionError(error: unknown): boolean {
    if (!(error instanceof Error)) return false;
    const code = (error as { code?: unknown }).code;
    // Class 08: connection exceptions; 57P0x: the server is shutting down or restarting.
    if (typeof code === 'string' && /^(08|57P0)/.test(code)) return true;
    return CONNECTION_ERROR_PATTERN.test(`${typeof code === 'string' ? code : ''} ${error.message}`);
  }

  unavailable(error: unknown): ProviderUnavailableError {
    const { host, port } = this.endpoint;
    return new ProviderUnavailableError('bullmq', host, port, redactedFailure(error, this.databaseUrl));
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }

  private poolConfig(max: number): {
    connectionString: string;
    schema: string;
    max: number;
    connectionTimeoutMillis: number;
    query_timeout: number;
  } {
    return {
      connectionString: this.databaseUrl,
      schema: this.schema,
      max,
      connectionTimeoutMillis: this.options.connectTimeoutMs,
      query_timeout: this.options.commandTimeoutMs,
    };
  }

  private control(): PostgresConnection {
    if (this.connection === undefined) throw new Error('connect() first');
    return this.connection;
  }
}
