import type { CommonProviderOptions, QueueProvider } from '@switchyard/core';
import { MemoryQueueProvider } from '@switchyard/provider-memory';

/**
 * A way to get fresh, isolated, unconnected providers of one kind for cross-package
 * tests (domain, container, migration). Backed by real servers from the harnesses.
 */
export interface ProviderFixture {
  name: string;
  /** How late a due job may start on this provider (polling interval plus slack). */
  schedulingToleranceMs: number;
  make(options?: CommonProviderOptions): Promise<QueueProvider>;
}

export const memoryFixture: ProviderFixture = {
  name: 'memory',
  schedulingToleranceMs: 200,
  make: async (options) => new MemoryQueueProvider(options),
};

/** Every provider the domain and container tests run on. */
export function providerFixtures(): ProviderFixture[] {
  return [memoryFixture];
}
