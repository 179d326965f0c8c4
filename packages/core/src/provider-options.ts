import type { Logger } from './logger.js';
import type { ValidationLimits } from './validate-schedule.js';

/** Options every provider accepts besides its connection settings. */
export interface CommonProviderOptions extends ValidationLimits {
  /** Where the provider logs; silent by default. */
  logger?: Logger;
}
