import type { JobProcessor } from '../job-processor.js';
import type { CommonProviderOptions } from '../provider-options.js';
import type { QueueProvider, RegisterOptions } from '../queue-provider.js';
import {
  CONTRACT_PROVIDER_OPTIONS,
  DEFAULT_SCHEDULING_TOLERANCE_MS,
  type ProviderContractOptions,
} from './contract-options.js';
import { settlesWithin } from './waiting.js';

/** How long the suite lets active jobs run when it closes a test's providers. */
const CLOSE_AFTER_TEST_TIMEOUT_MS = 100;

/**
 * What every contract test shares: makes providers for the test, remembers them, and
 * closes them all after it, so a failing test cannot leak a running provider into the
 * next one. Also turns the provider's scheduling tolerance into deadlines.
 */
export class ContractFixture {
  private readonly openProviders: QueueProvider[] = [];

  constructor(
    readonly providerName: string,
    private readonly options: ProviderContractOptions,
  ) {}

  /** How late a due job may start on this provider. */
  get toleranceMs(): number {
    return this.options.schedulingToleranceMs ?? DEFAULT_SCHEDULING_TOLERANCE_MS;
  }

  /**
   * How long to wait for something expected after about `expectedMs`. Generous on
   * purpose: it only ever runs out when the provider is broken, and then the test
   * fails with what it was waiting for. Timing assertions are made separately.
   */
  deadline(expectedMs = 0): number {
    return expectedMs + 2 * this.toleranceMs + 2000;
  }

  /** Mocha's timeout for one test: room for several deadlines. */
  get testTimeoutMs(): number {
    return 20_000 + 10 * this.toleranceMs;
  }

  /**
   * A fresh provider, only constructed (not connected); closed after the test. `common`
   * adds to or overrides the contract's provider options (a provider-wide default under test).
   */
  async newProvider(common: CommonProviderOptions = {}): Promise<QueueProvider> {
    const provider = await this.options.makeProvider({ ...CONTRACT_PROVIDER_OPTIONS, ...common });
    this.openProviders.push(provider);
    return provider;
  }

  /** A fresh provider, connected but not started; closed after the test. */
  async connectedProvider(common: CommonProviderOptions = {}): Promise<QueueProvider> {
    const provider = await this.newProvider(common);
    await provider.connect();
    return provider;
  }

  /** A fresh provider with `processors` registered (each with `options`), started. */
  async startedProvider(
    processors: JobProcessor[],
    options: RegisterOptions = {},
    common: CommonProviderOptions = {},
  ): Promise<QueueProvider> {
    const provider = await this.connectedProvider(common);
    for (const processor of processors) provider.registerProcessor(processor, options);
    await provider.start();
    return provider;
  }

  /**
   * Closes every provider the test made (again, if the test closed it itself: close
   * must tolerate that). A close that does not resolve in time fails the test rather
   * than hanging the run.
   */
  async closeAll(): Promise<void> {
    const providers = this.openProviders.splice(0);
    const limit = CLOSE_AFTER_TEST_TIMEOUT_MS + this.deadline();
    const outcomes = await Promise.allSettled(
      providers.map((provider) =>
        settlesWithin(provider.close({ timeoutMs: CLOSE_AFTER_TEST_TIMEOUT_MS }), limit, 'close()'),
      ),
    );
    const errors = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    if (errors.length > 0)
      throw new AggregateError(errors, `closing the test's providers failed: ${errors.map(String).join('; ')}`);
  }
}
