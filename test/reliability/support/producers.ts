/**
 * Producers that keep scheduling while the backend goes away and comes back, as a
 * service's request handlers would: every job has a fixed id, and a call the API
 * rejected with `ProviderUnavailableError` is made again with the same id (the job may
 * have been stored before the error surfaced; the id keeps it from being doubled).
 * Any other error fails the run. Retries are counted, so a test can report them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderUnavailableError, type QueueProvider } from '@switchyard/core';

export interface ProducerOptions {
  /** How many producers schedule at once. */
  producers: number;
  /** Each producer's pause between two jobs: spreads the production over the outage. */
  pauseMs: number;
  /** Pause before a rejected call is made again. */
  retryPauseMs: number;
  /** A job still rejected after this long fails the run. */
  giveUpAfterMs: number;
}

export interface ProducerRun {
  /** Jobs scheduled so far (the API returned their id). */
  readonly scheduled: number;
  /** Calls the API rejected with ProviderUnavailableError, and that were made again. */
  readonly retries: number;
  /** Resolves once every id is scheduled. */
  readonly done: Promise<void>;
}

export function produce(
  provider: QueueProvider,
  name: string,
  ids: readonly string[],
  options: ProducerOptions,
): ProducerRun {
  let next = 0;
  const run = { scheduled: 0, retries: 0, done: Promise.resolve() };
  const scheduleOne = async (id: string): Promise<void> => {
    const giveUpAt = Date.now() + options.giveUpAfterMs;
    for (;;) {
      try {
        await provider.scheduleJob(name, { id }, { jobId: id });
        run.scheduled += 1;
        return;
      } catch (error) {
        if (!(error instanceof ProviderUnavailableError) || Date.now() > giveUpAt) throw error;
        run.retries += 1;
        await sleep(options.retryPauseMs);
      }
    }
  };
  const producer = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next]!;
      next += 1;
      await scheduleOne(id);
      await sleep(options.pauseMs);
    }
  };
  run.done = Promise.all(Array.from({ length: options.producers }, producer)).then(() => undefined);
  return run;
}
