import type { PostgresConnection } from 'bullmq';
import type { JobDirectory } from './job-directory.js';

/**
 * The job directory as one table beside BullMQ's, in the same schema (the connection's
 * `search_path`): `switchyard_job_ids (id primary key, name)`. A claim is an INSERT
 * that does nothing on conflict, so it is atomic across processes.
 */
export class PostgresJobDirectory implements JobDirectory {
  /**
   * Claimed all the same: every add there is a SQL function call anyway, and BullMQ's
   * tables have no index by job id alone to find an unclaimed one by.
   */
  readonly claimsGeneratedIds = true;

  constructor(private readonly connection: () => PostgresConnection) {}

  async noteName(): Promise<void> {}

  /**
   * `IF NOT EXISTS` does not make two processes creating the table at once safe (the
   * second fails on PostgreSQL's catalog: `duplicate key value violates unique constraint
   * "pg_type_typname_nsp_index"`), so they take turns: the statements run as one
   * transaction (one query string) that first takes an advisory lock of this schema's own.
   */
  async prepare(): Promise<void> {
    await this.connection().pool.query(
      `SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.switchyard_job_ids'));
       CREATE TABLE IF NOT EXISTS switchyard_job_ids (id text PRIMARY KEY, name text NOT NULL);
       CREATE INDEX IF NOT EXISTS switchyard_job_ids_name_idx ON switchyard_job_ids (name)`,
    );
  }

  async claim(entries: readonly { id: string; name: string }[]): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    const { rows } = await this.connection().pool.query(
      `INSERT INTO switchyard_job_ids (id, name)
       SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [entries.map(({ id }) => id), entries.map(({ name }) => name)],
    );
    return new Set((rows as { id: string }[]).map(({ id }) => id));
  }

  async overwrite(id: string, name: string): Promise<void> {
    await this.connection().pool.query(
      `INSERT INTO switchyard_job_ids (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name`,
      [id, name],
    );
  }

  async nameOf(id: string): Promise<string | null> {
    const { rows } = await this.connection().pool.query(`SELECT name FROM switchyard_job_ids WHERE id = $1`, [id]);
    return (rows[0] as { name: string } | undefined)?.name ?? null;
  }

  async release(ids: readonly string[]): Promise<void> {
    if (ids.length > 0)
      await this.connection().pool.query(`DELETE FROM switchyard_job_ids WHERE id = ANY($1::text[])`, [ids]);
  }

  async names(): Promise<string[]> {
    // Names whose jobs are all gone stay known through BullMQ's own queue metadata.
    const { rows } = await this.connection().pool.query(
      `SELECT name FROM switchyard_job_ids UNION SELECT DISTINCT queue FROM job UNION SELECT DISTINCT queue FROM meta`,
    );
    return (rows as { name: string }[]).map(({ name }) => name);
  }
}
