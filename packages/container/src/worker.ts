import type { Container } from 'inversify';
import { TYPES, type JobProcessor, type Logger, type QueueProvider } from '@switchyard/core';
import { createContainer, type CreateContainerOptions } from './create-container.js';
import type { Environment } from './load-config.js';
import type { SwitchyardConfig } from './switchyard-config.js';
import { CONTAINER_TYPES } from './container-tokens.js';

export interface RunningWorker {
  container: Container;
  provider: QueueProvider;
  /** Graceful: stop taking jobs, let active ones finish within SHUTDOWN_TIMEOUT_MS, disconnect. */
  stop(reason?: string): Promise<void>;
}

export interface StartWorkerOptions extends CreateContainerOptions {
  env?: Environment;
  /** Bind more processors (or replace ports) before the worker starts. */
  configure?: (container: Container) => void | Promise<void>;
}

/** Builds the container, registers every bound `JobProcessor`, and starts processing. */
export async function startWorker(options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const container = await createContainer(options.env ?? process.env, options);
  await options.configure?.(container);
  const config = container.get<SwitchyardConfig>(CONTAINER_TYPES.Config);
  const logger = container.get<Logger>(TYPES.Logger);
  const provider = container.get<QueueProvider>(TYPES.QueueProvider);
  const processors = container.getAll<JobProcessor>(TYPES.JobProcessor);

  await provider.connect();
  for (const processor of processors) provider.registerProcessor(processor, { concurrency: config.concurrency });
  await provider.start();
  logger.info('worker started', { processors: processors.map((p) => p.name), concurrency: config.concurrency });

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'requested') => {
    stopping ??= (async () => {
      logger.info('worker stopping: no new jobs; waiting for active ones', {
        reason,
        timeoutMs: config.shutdownTimeoutMs,
      });
      const stats = await provider.getStats().catch(() => undefined);
      if (stats !== undefined) logger.info('jobs active at shutdown', { active: stats.active });
      await provider.close({ timeoutMs: config.shutdownTimeoutMs });
      logger.info('worker stopped');
    })();
    return stopping;
  };
  return { container, provider, stop };
}

/**
 * The worker as a process: starts it, and on SIGTERM or SIGINT shuts down gracefully
 * and exits 0 (1 if shutting down failed). A start-up error (bad configuration,
 * backend unreachable) is printed and exits 1. A signal that arrives while the worker
 * is still starting stops it as soon as it has started; a second one kills the process.
 */
export async function runWorkerProcess(options: StartWorkerOptions = {}): Promise<void> {
  // The handlers go in before anything starts: with no listener, Node leaves SIGTERM to
  // the operating system, which kills the process at once, and a supervisor may send it
  // as soon as it reads 'worker started', before startWorker's caller has resumed.
  let worker: RunningWorker | undefined;
  let signalledWhileStarting: NodeJS.Signals | undefined;
  const stopAndExit = (running: RunningWorker, signal: NodeJS.Signals) => {
    running.stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`switchyard worker failed to stop cleanly: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (worker === undefined) signalledWhileStarting ??= signal;
      else stopAndExit(worker, signal);
    });
  }
  try {
    worker = await startWorker(options);
  } catch (error) {
    process.stderr.write(`switchyard worker failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  if (signalledWhileStarting !== undefined) stopAndExit(worker, signalledWhileStarting);
}
