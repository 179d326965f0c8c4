import type { Db } from 'mongodb';
import type { AgendaBackend } from 'agenda';
import { MongoJobRepository } from '@agendajs/mongo-backend';
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
 * It never closes the connection: `ownsConnection` is false, so `agenda.drain()`
 * leaves the client to the provider (which closes it only if it opened it).
 */
export class SharedDbAgendaBackend implements AgendaBackend {
  readonly name = 'MongoDB';
  readonly repository: MongoJobRepository;
  readonly ownsConnection = false;

  constructor(db: Db, collection: string) {
    this.repository = new MongoJobRepository({
      mongo: db,
      db: { collection },
      ensureIndex: false,
      // Agenda's SortDirection type spells directions as words; the driver takes both.
      sort: Object.fromEntries(Object.entries(LOCK_ORDER).map(([key, direction]) => [key, direction === 1 ? 'asc' : 'desc'])),
    });
  }

  /** No I/O: the repository only takes the collection from the connected `Db`. */
  async connect(): Promise<void> {
    await this.repository.connect();
  }

  async disconnect(): Promise<void> {}
}
