/**
 * What a reliability test says when jobs did not all complete in time: the provider's
 * counts, and the state the provider gives for (up to ten of) the ids missing from the
 * ledger, so a lost job can be told from a slow one.
 */
import type { QueueProvider } from '@switchyard/core';
import { waitUntil } from '../../support/wait-until.js';
import { readLedger } from './ledger.js';

export async function describeMissing(
  provider: QueueProvider,
  name: string | undefined,
  ids: Iterable<string>,
  ledgerPath: string,
): Promise<string> {
  const ran = readLedger(ledgerPath).ids;
  const missing = [...ids].filter((id) => !ran.has(id));
  const states = await Promise.all(
    missing
      .slice(0, 10)
      .map(
        async (id) =>
          `${id}: ${(await provider.getJob(id).catch((error: unknown) => ({ state: (error as Error).message })))?.state ?? 'not found'}`,
      ),
  );
  const stats = await provider.getStats(name).catch((error: unknown) => (error as Error).message);
  return `${missing.length} jobs not in the ledger (${states.join(', ')}); stats ${JSON.stringify(stats)}`;
}

/** Waits until the ledger holds every id and the provider counts them all completed; on timeout, says what is missing. */
export async function waitForAllCompleted(
  provider: QueueProvider,
  name: string | undefined,
  ids: readonly string[],
  ledgerPath: string,
  options: { timeoutMs: number; intervalMs: number },
): Promise<void> {
  try {
    await waitUntil(
      async () =>
        readLedger(ledgerPath).ids.size === ids.length && (await provider.getStats(name)).completed === ids.length,
      {
        ...options,
        message: `all ${ids.length} jobs completed`,
      },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}: ${await describeMissing(provider, name, ids, ledgerPath)}`, {
      cause: error,
    });
  }
}
