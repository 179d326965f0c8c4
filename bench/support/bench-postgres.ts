/**
 * Fresh, isolated storage on the bench's PostgreSQL for each run: a schema of its own
 * (BullMQ's namespace on PostgreSQL; its migrations create the tables in it), dropped
 * afterwards, and the server's version for the report.
 *
 * The queries go through a `PostgresConnection` of BullMQ's own (its `pg` pool), so the
 * bench loads the same driver the provider and raw BullMQ run on.
 */
import { randomUUID } from 'node:crypto';
import { PostgresConnection } from 'bullmq';

/** A schema name no other run uses (a lowercase identifier, so it needs no quoting). */
export function freshPostgresSchema(label: string): string {
  return `bench_${label}_${randomUUID().slice(0, 8)}`.replace(/[^a-z0-9_]/g, '_');
}

async function withPool<T>(databaseUrl: string, use: (connection: PostgresConnection) => Promise<T>): Promise<T> {
  // `skipMigrations`: this connection only queries; it must not create BullMQ's tables anywhere.
  const connection = new PostgresConnection({ connectionString: databaseUrl, max: 1, skipMigrations: true });
  connection.on('error', () => {});
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}

/** Drops a run's schema and everything BullMQ and the provider made in it. */
export async function dropPostgresSchema(databaseUrl: string, schema: string): Promise<void> {
  await withPool(databaseUrl, (connection) => connection.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

export async function postgresServerVersion(databaseUrl: string): Promise<string> {
  return withPool(databaseUrl, async (connection) => {
    const { rows } = await connection.pool.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? 'unknown';
  });
}
