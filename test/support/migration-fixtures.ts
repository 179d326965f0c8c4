import {
  bullmqPostgresFixture,
  bullmqRedisFixture,
  providerFixtures,
  type ProviderFixture,
} from './provider-fixtures.js';

/**
 * Every provider and BullMQ backend once, for the migration tests: BullMQ's fixtures are
 * named here until `providerFixtures()` lists them, and deduplicated by name for when it
 * does.
 */
export function migrationFixtures(): ProviderFixture[] {
  const byName = new Map<string, ProviderFixture>();
  for (const fixture of [...providerFixtures(), bullmqRedisFixture, bullmqPostgresFixture])
    byName.set(fixture.name, fixture);
  return [...byName.values()];
}
