/**
 * BullMQ on Redis through ioredis. The provider opens one command client: it proves
 * Redis answers (and accepts the password) before anything else, serves the provider's
 * own keys (the job directory) and every `Queue` (BullMQ shares a client it is given).
 * Each `Worker` gets connection options instead, so BullMQ makes its own client and
 * blocking client with `maxRetriesPerRequest: null`, as it requires.
 *
 * Failure handling: `open()` fails within `connectTimeoutMs` without retrying; once
 * open, the command client reconnects, but a command fails after two reconnection
 * attempts (or `commandTimeoutMs`), so calls made while Redis is down reject instead of
 * waiting for it.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { Queue, Worker, type Job, type JobState as BullMQState, type QueueOptions, type WorkerOptions } from 'bullmq';
import {
  DEFAULT_REDIS_PORT,
  ProviderUnavailableError,
  endpointOf,
  redisOptionsFromUrl,
  type Endpoint,
} from '@switchyard/core';
import { withDeadline } from '@switchyard/core/provider-kit';
import type { BullMQBackend, BullMQProcessor, FinishedJob } from './bullmq-backend.js';
import { CONNECTION_ERROR_PATTERN, redactedFailure } from './connection-failure.js';
import type { JobDirectory } from './job-directory.js';
import { RedisJobDirectory } from './redis-job-directory.js';

export class RedisBackend implements BullMQBackend {
  readonly kind = 'redis';
  readonly endpoint: Endpoint;
  readonly directory: JobDirectory;
  private readonly baseOptions: RedisOptions;
  private client: Redis | undefined;
  private established = false;
  private ended = false;

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
    private readonly options: { connectTimeoutMs: number; commandTimeoutMs: number; onError: (error: Error) => void },
  ) {
    this.endpoint = endpointOf(redisUrl, DEFAULT_REDIS_PORT);
    this.baseOptions = { ...redisOptionsFromUrl(redisUrl), disconnectTimeout: 200 };
    this.directory = new RedisJobDirectory(() => this.command(), prefix);
  }

  async open(): Promise<void> {
    const client = new Redis({
      ...this.baseOptions,
      lazyConnect: true,
      connectTimeout: this.options.connectTimeoutMs,
      commandTimeout: this.options.commandTimeoutMs,
      maxRetriesPerRequest: 2,
      retryStrategy: (times) => (this.established && !this.ended ? Math.min(100 * times, 1000) : null),
    });
    // Every queue adds listeners to the shared client.
    client.setMaxListeners(0);
    let lastError: Error | undefined;
    client.on('error', (error: Error) => {
      if (this.established && !this.ended) this.options.onError(error);
      else lastError = error;
    });
    this.client = client;
    try {
      await withDeadline(
        (async () => {
          await client.connect();
          await client.ping();
        })(),
        this.options.connectTimeoutMs,
        'no answer',
      );
      this.established = true;
    } catch (error) {
      this.ended = true;
      client.disconnect(false);
      throw this.unavailable(lastError ?? error);
    }
  }

  newQueue(name: string, options: Omit<QueueOptions, 'connection'>): Queue {
    return new Queue(name, { ...options, prefix: this.prefix, connection: this.command() });
  }

  newWorker(name: string, processor: BullMQProcessor, options: Omit<WorkerOptions, 'connection'>): Worker {
    return new Worker(name, processor, {
      ...options,
      prefix: this.prefix,
      connection: {
        ...this.baseOptions,
        connectTimeout: this.options.connectTimeoutMs,
        maxRetriesPerRequest: null,
        retryStrategy: (times: number) => (this.ended ? null : Math.min(100 * times, 1000)),
      },
    });
  }

  async addFinishedJob(name: string, job: FinishedJob): Promise<void> {
    // The hash and the finished set BullMQ keeps (redis-queue-backend.js `rawToJobJson`
    // reads these fields; options in their long names are read as they are).
    const fields: Record<string, string> = {
      name,
      data: JSON.stringify(job.data),
      opts: JSON.stringify(job.opts),
      timestamp: String(job.timestamp),
      delay: '0',
      priority: String(job.opts.priority ?? 0),
      atm: String(job.attemptsMade),
      ats: String(job.attemptsMade),
      processedOn: String(job.finishedOn),
      finishedOn: String(job.finishedOn),
      stacktrace: '[]',
    };
    if (job.failedReason !== undefined) fields.failedReason = job.failedReason;
    await this.command()
      .multi()
      .hset(`${this.prefix}:${name}:${job.id}`, fields)
      .zadd(`${this.prefix}:${name}:${job.state}`, job.finishedOn, job.id)
      .exec();
  }

  async jobsIn(queue: Queue, state: BullMQState): Promise<Job[]> {
    // One script call for every job of the state.
    const jobs = await queue.getJobs([state], 0, -1, true);
    return jobs.filter((job): job is Job => job != null);
  }

  async dueTimesOf(name: string, bullmqJobIds: readonly string[]): Promise<Map<string, number>> {
    const key = `${this.prefix}:${name}:delayed`;
    const pipeline = this.command().pipeline();
    for (const id of bullmqJobIds) pipeline.zscore(key, id);
    const results = (await pipeline.exec()) ?? [];
    const due = new Map<string, number>();
    bullmqJobIds.forEach((id, index) => {
      const [error, score] = results[index] ?? [null, null];
      if (error) throw error;
      // BullMQ's delayed zset score: due ms * 0x1000 + a counter.
      if (score !== null && score !== undefined) due.set(id, Math.floor(Number(score) / 0x1000));
    });
    return due;
  }

  async ping(): Promise<void> {
    await this.command().ping();
  }

  isConnectionError(error: unknown): boolean {
    if (!(error instanceof Error)) return false;
    if (error.name === 'MaxRetriesPerRequestError') return true;
    if (this.client !== undefined && this.client.status !== 'ready') return true;
    return CONNECTION_ERROR_PATTERN.test(error.message);
  }

  unavailable(error: unknown): ProviderUnavailableError {
    const { host, port } = this.endpoint;
    return new ProviderUnavailableError('bullmq', host, port, redactedFailure(error, this.redisUrl));
  }

  async close(): Promise<void> {
    this.ended = true;
    const client = this.client;
    if (client === undefined || client.status === 'end') return;
    const wasConnected = client.status === 'ready' || client.status === 'connect';
    client.disconnect(false);
    // Between reconnection attempts there is no socket to close: fail what is queued.
    if (!wasConnected)
      (client as unknown as { flushQueue?: (e: Error) => void }).flushQueue?.(new Error('Connection is closed.'));
  }

  private command(): Redis {
    if (this.client === undefined) throw new Error('connect() first');
    return this.client;
  }
}
