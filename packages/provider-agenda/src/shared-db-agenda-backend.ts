import type { Db } from 'mongodb';
import type { AgendaBackend, JobParameters, JobRepositoryOptions } from 'agenda';
import { MongoJobRepository } from '@agendajs/mongo-backend';
import type { AgendaStateSaves } from './agenda-state-saves.js';
import { LOCK_ORDER } from './job-indexes.js';

/**
 * An Agenda backend over a `Db` the provider has already connected, built from
 * `@agendajs/mongo-backend`'s `MongoJobRepository`. Why not `MongoBackend` itself:
 *
 * - Agenda connects its backend in its constructor without handling a rejection,
 *   so a connection made there that fails would crash the process; the provider
 *   connects first (with its timeouts and its error) and hands over the `Db`;
 * - `MongoBackend` always creates an `agenda_logs` collection with three indexes,
 *   for a persistent log the provider does not use;
 * - the repository is told the provider's lock order (`LOCK_ORDER`) and not to build
 *   its index for the default order: the provider creates the indexes it queries by.
 *
 * - Agenda's saves of a job's state as it starts and ends carry the provider's own
 *   writes at those moments (`AgendaStateSaves`): one command each instead of two.
 * - Agenda calls `unlockJob` without awaiting it or catching its rejection (when it
 *   lets go of a job it locked too early or beyond its lock limit), so during a MongoDB
 *   outage that call would be an unhandled rejection; here it reports the error
 *   instead. A lock that could not be released simply expires (`lockLifetimeMs`).
 *
 * It never closes the connection: `ownsConnection` is false, so `agenda.drain()`
 * leaves the client to the provider (which closes it only if it opened it).
 */
export class SharedDbAgendaBackend implements AgendaBackend {
  readonly name = 'MongoDB';
  readonly repository: MongoJobRepository;
  readonly ownsConnection = false;

  constructor(db: Db, collection: string, saves: AgendaStateSaves, onUnlockError: (error: unknown) => void) {
    this.repository = new ProviderJobRepository(saves, onUnlockError, {
      mongo: db,
      db: { collection },
      ensureIndex: false,
      // Agenda's SortDirection type spells directions as words; the driver takes both.
      sort: Object.fromEntries(
        Object.entries(LOCK_ORDER).map(([key, direction]) => [key, direction === 1 ? 'asc' : 'desc']),
      ),
    });
  }

  /** No I/O: the repository only takes the collection from the connected `Db`. */
  async connect(): Promise<void> {
    await this.repository.connect();
  }

  async disconnect(): Promise<void> {}
}

/** `MongoJobRepository` whose state saves carry the provider's writes, and whose fire-and-forget `unlockJob` reports failures rather than rejecting. */
class ProviderJobRepository extends MongoJobRepository {
  constructor(
    private readonly saves: AgendaStateSaves,
    private readonly onUnlockError: (error: unknown) => void,
    ...options: ConstructorParameters<typeof MongoJobRepository>
  ) {
    super(...options);
  }

  override async saveJobState(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<void> {
    await this.saves.save(job, options?.lastModifiedBy, () => super.saveJobState(job, options));
  }

  override async unlockJob(job: JobParameters): Promise<void> {
    try {
      await super.unlockJob(job);
    } catch (error) {
      this.onUnlockError(error);
    }
  }
}
