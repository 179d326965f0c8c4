import { providerFixtures, type ProviderFixture } from './provider-fixtures.js';

/** Every provider and BullMQ backend once, for the migration tests: `providerFixtures()`, which lists BullMQ's. */
export function migrationFixtures(): ProviderFixture[] {
  return providerFixtures();
}
