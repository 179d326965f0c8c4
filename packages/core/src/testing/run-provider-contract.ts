import { describeBadInput } from './bad-input.js';
import { describeCancellation } from './cancellation.js';
import { describeClean } from './clean.js';
import { describeClose } from './close.js';
import { describeConcurrency } from './concurrency.js';
import { ContractFixture } from './contract-fixture.js';
import type { ProviderContractOptions } from './contract-options.js';
import { describeEvents } from './events.js';
import { describeHealth } from './health.js';
import { describeHostileIds } from './hostile-ids.js';
import { describeIdempotency } from './idempotency.js';
import { describeLifecycle } from './lifecycle.js';
import { describePauseResume } from './pause-resume.js';
import { describePriorities } from './priorities.js';
import { describeProcessing } from './processing.js';
import { describeQueries } from './queries.js';
import { describeRetention } from './retention.js';
import { describeRetries } from './retries.js';
import { describeScheduling } from './scheduling.js';
import { describeRetryJob } from './retry-job.js';
import { describeSnapshots } from './snapshots.js';
import { describeStats } from './stats.js';
import { describeTimeouts } from './timeouts.js';

/**
 * The provider contract: one mocha suite every `QueueProvider` must pass unmodified.
 * A new backend is done when its test file is this one call and it passes.
 *
 * Where the contract (README.md, "The contract") is silent, the suite pins down what a
 * user would expect:
 * - a job waiting for its backoff is `scheduled`, due at the retry time; a job whose
 *   runAt has passed is `waiting`, even while its name is paused;
 * - a finished job keeps `result` / `failedReason`, `finishedAt`, and has `runAt: null`;
 * - the `JobInfo` handed to a processor has `attemptsMade` = attempts finished before it;
 * - a `jobId` that belongs to a finished job is still taken (scheduling it is a no-op);
 * - `cancelJob` returns false for a job it has already cancelled; `retryJob` returns
 *   false for any job that is not `failed`;
 * - `close()` may be called twice, and `close({ timeoutMs })` resolves even when a
 *   processor ignores its aborted signal;
 * - `importJobs` reports an invalid snapshot in `errors` and goes on with the rest;
 * - every snapshot field survives export -> JSON -> import -> export unchanged,
 *   including `runAt` of repeating jobs.
 *
 * Timing: nothing sleeps to assert an outcome. Tests wait on events or poll with a
 * deadline; "it never ran" is shown with a barrier job that is due after the job in
 * question. A due job must start no earlier than its runAt and no later than
 * `schedulingToleranceMs` after it.
 *
 * Needs mocha's globals (`describe`, `it`, `afterEach`): call it at the top level of a
 * test file that mocha loads. Each test builds its own providers through `makeProvider`,
 * and they are closed after it.
 *
 * @example
 * ```ts
 * // test/contract/memory.contract.test.ts
 * import { runProviderContract } from '@switchyard/core/testing';
 * import { MemoryQueueProvider } from '@switchyard/provider-memory';
 *
 * runProviderContract('memory', { makeProvider: (common) => new MemoryQueueProvider(common) });
 * ```
 */
export function runProviderContract(providerName: string, options: ProviderContractOptions): void {
  describe(`QueueProvider contract: ${providerName}`, function () {
    const fixture = new ContractFixture(providerName, options);
    this.timeout(fixture.testTimeoutMs);

    afterEach(async function () {
      await fixture.closeAll();
    });

    describeHealth(fixture);
    describeScheduling(fixture);
    describeIdempotency(fixture);
    describeCancellation(fixture);
    describeProcessing(fixture);
    describeRetries(fixture);
    describeTimeouts(fixture);
    describePriorities(fixture);
    describeConcurrency(fixture);
    describePauseResume(fixture);
    describeQueries(fixture);
    describeRetention(fixture);
    describeRetryJob(fixture);
    describeStats(fixture);
    describeClean(fixture);
    describeSnapshots(fixture);
    describeEvents(fixture);
    describeBadInput(fixture);
    describeHostileIds(fixture);
    describeClose(fixture);
    describeLifecycle(fixture);
  });
}
