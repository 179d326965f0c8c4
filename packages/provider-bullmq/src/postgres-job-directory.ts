import type { PostgresConnection } from 'bullmq';
import { mayBeGeneratedJobId } from '@switchyard/core/provider-kit';
import { toBullMQJobId } from './bullmq-job-id.js';
import type { JobDirectory } from './job-directory.js';
import { NotedNames } from './noted-names.js';

/**
 * The job directory as two tables beside BullMQ's, in the same schema (the connection's
 * `search_path`): `switchyard_job_ids (id primary key, name)`, the claimed ids, and
 * `switchyard_job_names (name primary key)`, the names whose jobs may have unclaimed
 * ids. A claim is an INSERT that does nothing on conflict, so it is atomic across
 * processes.
 *
 * Generated ids are not claimed, as on Redis: a claim was a statement of its own before
 * every add, and it held the provider to 0.77 × raw BullMQ on PostgreSQL, keeping every
 * job and with `removeOnComplete: true` alike (0.92 × and 0.96 × without it, in the
 * same bench on the same machine). Such a job is held by its row in
 * BullMQ's `job` table alone, whose primary key is `(queue, id)`: looking one up is an
 * index probe per name of `switchyard_job_names`, and a caller's id of that shape is
 * checked against the same rows before it is claimed.
 */
export class PostgresJobDirectory implements JobDirectory {
  readonly claimsGeneratedIds = false;
  private readonly notedNames = new NotedNames((name) =>
    this.connection().pool.query(`INSERT INTO switchyard_job_names (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [
      name,
    ]),
  );

  constructor(private readonly connection: () => PostgresConnection) {}

  noteName(name: string): Promise<void> {
    return this.notedNames.note(name);
  }

  /**
   * `IF NOT EXISTS` does not make two processes creating the tables at once safe (the
   * second fails on PostgreSQL's catalog: `duplicate key value violates unique constraint
   * "pg_type_typname_nsp_index"`), so they take turns: the statements run as one
   * transaction (one query string) that first takes an advisory lock of this schema's own.
   */
  async prepare(): Promise<void> {
    await this.connection().pool.query(
      `SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.switchyard_job_ids'));
       CREATE TABLE IF NOT EXISTS switchyard_job_ids (id text PRIMARY KEY, name text NOT NULL);
       CREATE INDEX IF NOT EXISTS switchyard_job_ids_name_idx ON switchyard_job_ids (name);
       CREATE TABLE IF NOT EXISTS switchyard_job_names (name text PRIMARY KEY)`,
    );
  }

  async claim(entries: readonly { id: string; name: string }[]): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    // An id of a generated id's shape is free only if no job of a noted name holds it.
    const { rows } = await this.connection().pool.query(
      `INSERT INTO switchyard_job_ids (id, name)
       SELECT claim.id, claim.name
         FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) AS claim (id, name, bullmq_id, uuid_shaped)
        WHERE NOT (claim.uuid_shaped AND EXISTS (
          SELECT 1 FROM job WHERE job.queue IN (SELECT name FROM switchyard_job_names) AND job.id = claim.bullmq_id))
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        entries.map(({ id }) => id),
        entries.map(({ name }) => name),
        entries.map(({ id }) => toBullMQJobId(id)),
        entries.map(({ id }) => mayBeGeneratedJobId(id)),
      ],
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
    const { rows } = await this.connection().pool.query(
      `SELECT name FROM switchyard_job_ids WHERE id = $1
       UNION ALL
       SELECT queue FROM job WHERE $3 AND queue IN (SELECT name FROM switchyard_job_names) AND id = $2
       LIMIT 1`,
      [id, toBullMQJobId(id), mayBeGeneratedJobId(id)],
    );
    return (rows[0] as { name: string } | undefined)?.name ?? null;
  }

  async release(ids: readonly string[]): Promise<void> {
    if (ids.length > 0)
      await this.connection().pool.query(`DELETE FROM switchyard_job_ids WHERE id = ANY($1::text[])`, [ids]);
  }

  async names(): Promise<string[]> {
    // Names whose jobs are all gone stay known through BullMQ's own queue metadata.
    const { rows } = await this.connection().pool.query(
      `SELECT name FROM switchyard_job_ids UNION SELECT name FROM switchyard_job_names
       UNION SELECT DISTINCT queue FROM job UNION SELECT DISTINCT queue FROM meta`,
    );
    return (rows as { name: string }[]).map(({ name }) => name);
  }
}
