import { expect } from 'chai';
import type { JobInfo } from '../job.js';
import type { QueueProvider } from '../queue-provider.js';
import type { ContractFixture } from './contract-fixture.js';
import { EventRecorder } from './event-recorder.js';
import { recordingProcessor } from './recording-processor.js';
import { waitFor } from './waiting.js';

/** Jobs in the order they are scheduled, with their priority (undefined = the default 5). */
const SCHEDULED: { label: string; priority?: number }[] = [
  { label: 'a', priority: 5 },
  { label: 'b', priority: 1 },
  { label: 'c', priority: 10 },
  { label: 'd', priority: 3 },
  { label: 'e' },
  { label: 'f', priority: 1 },
  { label: 'g', priority: 6 },
  { label: 'h', priority: 4 },
  { label: 'i', priority: 5 },
];
/** By priority, 1 first; among equals first scheduled first; no priority counts as 5. */
const EXPECTED_ORDER = ['b', 'f', 'd', 'h', 'a', 'e', 'i', 'g', 'c'];

async function scheduleAll(provider: QueueProvider): Promise<string[]> {
  const ids: string[] = [];
  for (const { label, priority } of SCHEDULED) {
    ids.push(await provider.scheduleJob('ranked', { label }, priority === undefined ? {} : { priority }));
  }
  return ids;
}

/** Priorities order the waiting jobs of one name; observed with one job at a time. */
export function describePriorities(fixture: ContractFixture): void {
  describe('priorities', () => {
    it('starts jobs scheduled before start() by priority, 1 first, FIFO among equals', async () => {
      const processor = recordingProcessor<{ label: string }>('ranked');
      const provider = await fixture.connectedProvider();
      provider.registerProcessor(processor, { concurrency: 1 });
      const events = new EventRecorder(provider);
      const ids = await scheduleAll(provider);

      await provider.start();
      await waitFor(() => ids.every((id) => events.completedOf(id).length > 0), {
        timeoutMs: fixture.deadline(),
        message: 'every ranked job to complete',
      });
      expect(processor.attempts.map((attempt) => attempt.job.data.label)).to.deep.equal(EXPECTED_ORDER);
    });

    it('starts jobs scheduled while their name is paused by priority once it resumes', async () => {
      const processor = recordingProcessor<{ label: string }>('ranked');
      const provider = await fixture.startedProvider([processor], { concurrency: 1 });
      const events = new EventRecorder(provider);
      await provider.pause('ranked');
      const ids = await scheduleAll(provider);

      await provider.resume('ranked');
      await waitFor(() => ids.every((id) => events.completedOf(id).length > 0), {
        timeoutMs: fixture.deadline(),
        message: 'every ranked job to complete',
      });
      expect(processor.attempts.map((attempt) => attempt.job.data.label)).to.deep.equal(EXPECTED_ORDER);
      const started: JobInfo[] = processor.attempts.map((attempt) => attempt.job);
      expect(started.map((job) => job.priority)).to.deep.equal([1, 1, 3, 4, 5, 5, 5, 6, 10]);
    });
  });
}
