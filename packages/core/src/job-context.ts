import type { AttemptControl } from './attempt-control.js';
import { ValidationError } from './errors.js';
import type { JobContext } from './job-processor.js';
import { jobLogger, type Logger } from './logger.js';

export interface JobContextParts {
  /** 1-based number of the attempt. */
  attempt: number;
  control: AttemptControl;
  /** The provider's logger; the context's `log` adds the provider, job name and id to it. */
  logger: Logger;
  provider: string;
  job: { id: string; name: string };
  /** Stores a progress value the context has checked (0..100). */
  saveProgress(percent: number): Promise<void>;
}

/**
 * The context a processor gets. Its `signal` and `log` are made when first read (see
 * `AttemptControl`), so an attempt that never uses them costs nothing for them. A
 * class, not an object literal with getters: such a literal took about 2 µs to make.
 */
export function createJobContext(parts: JobContextParts): JobContext {
  return new ProviderJobContext(parts);
}

class ProviderJobContext implements JobContext {
  readonly attempt: number;
  private logger: Logger | undefined;

  constructor(private readonly parts: JobContextParts) {
    this.attempt = parts.attempt;
  }

  get signal(): AbortSignal {
    return this.parts.control.signal;
  }

  get log(): Logger {
    this.logger ??= jobLogger(this.parts.logger, this.parts.provider, this.parts.job);
    return this.logger;
  }

  readonly progress = async (percent: number): Promise<void> => {
    if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      throw new ValidationError('progress', 'must be a number from 0 to 100');
    }
    await this.parts.saveProgress(percent);
  };
}
