/**
 * The admin HTTP suite on BullMQ, once per backend: the same routes, the same answers
 * as on the memory provider, against the run's shared Redis and PostgreSQL (a prefix or
 * schema of its own per test, as the fixtures make them).
 */
import { describeAdminHttpApi } from '../../packages/admin/test/admin-http-suite.js';
import { bullmqPostgresFixture, bullmqRedisFixture } from '../support/provider-fixtures.js';

for (const fixture of [bullmqRedisFixture, bullmqPostgresFixture]) {
  describeAdminHttpApi({ name: fixture.name, make: () => fixture.make(), settleTimeoutMs: 10_000 });
}
