import { MongoClient, type Collection, type Db } from 'mongodb';
import {
  BackendError,
  ProviderClosedError,
  ProviderUnavailableError,
  SwitchyardError,
  toError,
  type Endpoint,
  type Logger,
} from '@switchyard/core';
import { withDeadline } from '@switchyard/core/provider-kit';
import type { AgendaJobDocument } from './agenda-job-document.js';
import { AgendaStateSaves } from './agenda-state-saves.js';
import { isClientClosedError, isUnreachableError } from './connectivity-errors.js';
import { ensureJobIndexes } from './job-indexes.js';
import { PauseFlags } from './pause-flags.js';
import { SharedDbAgendaBackend } from './shared-db-agenda-backend.js';
import { StuckMonitorWatchdog } from './stuck-monitor-watchdog.js';

/** A polling heartbeat still under way after this many connect timeouts has hung (see `StuckMonitorWatchdog`). */
const STUCK_HEARTBEAT_FACTOR = 3;
/** Upper bound for closing the client, so that close() never hangs on a dead server. */
const CLOSE_STEP_TIMEOUT_MS = 2000;

/** How to reach MongoDB, and what the store reports back. */
export interface AgendaStoreSettings {
  providerName: string;
  /** A connection string (the store opens and closes the client) or a `Db` the service holds (left open). */
  mongoUrl?: string | undefined;
  db?: Db | undefined;
  collectionName: string;
  connectTimeoutMs: number;
  endpoint: Endpoint;
  logger: Logger;
  redact(text: string): string;
  /** Errors that belong to no call (the backend's, a reconnection's). */
  reportError(error: Error): void;
  isClosing(): boolean;
}

/**
 * The MongoDB side of the Agenda provider once connected: the jobs collection, the
 * state saves Agenda's backend makes, the pause flags, and the client the provider
 * opened (watched by `StuckMonitorWatchdog` and reconnected when its monitor hangs).
 */
export class AgendaStore {
  private reconnecting: Promise<void> | undefined;

  private constructor(
    private readonly settings: AgendaStoreSettings,
    readonly db: Db,
    readonly jobs: Collection<AgendaJobDocument>,
    readonly saves: AgendaStateSaves,
    readonly pauses: PauseFlags,
    readonly backend: SharedDbAgendaBackend,
    private readonly client: MongoClient | undefined,
    private watchdog: StuckMonitorWatchdog | undefined,
  ) {}

  /** Connects within about `connectTimeoutMs`, or rejects with `ProviderUnavailableError`. */
  static async open(settings: AgendaStoreSettings): Promise<AgendaStore> {
    let client: MongoClient | undefined;
    const attempt = (async () => {
      let db: Db;
      if (settings.db !== undefined) {
        db = settings.db;
      } else {
        client = new MongoClient(settings.mongoUrl!, {
          serverSelectionTimeoutMS: settings.connectTimeoutMs,
          connectTimeoutMS: settings.connectTimeoutMs,
          appName: 'switchyard-agenda',
          // The driver's default is `{}`, and the BSON reader looks each key up in it: a data key
          // named `__proto__` then finds Object.prototype and comes back as raw bytes (an array of
          // objects under it reads as Buffers). With no prototype, no key is mistaken for a raw field.
          fieldsAsRaw: Object.create(null) as Record<string, boolean>,
        });
        await client.connect();
        db = client.db();
      }
      await db.command({ ping: 1 });
      const jobs = db.collection<AgendaJobDocument>(settings.collectionName);
      await ensureJobIndexes(jobs);
      const saves = new AgendaStateSaves(jobs);
      const backend = new SharedDbAgendaBackend(db, settings.collectionName, saves, (error) =>
        settings.reportError(translateMongoError(error, settings)),
      );
      // Connected here so that Agenda's own connect (in its constructor, unguarded) has nothing left that can fail.
      await backend.connect();
      return { db, jobs, saves, backend };
    })();
    try {
      const { db, jobs, saves, backend } = await withDeadline(
        attempt,
        settings.connectTimeoutMs + 2000,
        'connecting timed out',
      );
      const store = new AgendaStore(
        settings,
        db,
        jobs,
        saves,
        new PauseFlags(db, settings.collectionName),
        backend,
        client,
        undefined,
      );
      if (client !== undefined) {
        const owned = client;
        store.watchdog = new StuckMonitorWatchdog(owned, STUCK_HEARTBEAT_FACTOR * settings.connectTimeoutMs, () =>
          store.reconnect(),
        );
      }
      return store;
    } catch (error) {
      // A late success of the abandoned attempt must not leave a client open.
      void attempt.finally(() => client?.close().catch(() => undefined)).catch(() => undefined);
      throw unavailable(error, settings);
    }
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  /** Closes the client the store opened (a caller's `Db` is the caller's), within a bounded time. */
  async close(): Promise<void> {
    this.watchdog?.stop();
    if (this.client === undefined) return;
    await withDeadline(this.client.close(), CLOSE_STEP_TIMEOUT_MS, 'closing the MongoDB client').catch(
      (error: unknown) => {
        this.settings.logger.warn('close: closing the MongoDB client failed', {
          provider: this.settings.providerName,
          error: this.settings.redact(toError(error).message),
        });
      },
    );
  }

  /**
   * The client's monitor hung (see `StuckMonitorWatchdog`): closed and connected again,
   * which starts a fresh one; its Db and collections stay valid. Calls fail as
   * unavailable meanwhile, as they did while it hung. Tries until connected or closing.
   */
  private reconnect(): void {
    const client = this.client;
    if (client === undefined || this.reconnecting !== undefined || this.settings.isClosing()) return;
    const { providerName, endpoint } = this.settings;
    this.settings.logger.warn('MongoDB client stopped checking the server: reconnecting it', {
      provider: providerName,
      host: endpoint.host,
      port: endpoint.port,
    });
    this.reconnecting = (async () => {
      await client.close().catch(() => undefined);
      while (!this.settings.isClosing()) {
        try {
          await client.connect(); // fails after about connectTimeoutMs while MongoDB is down
          if (this.settings.isClosing()) await client.close();
          return;
        } catch (error) {
          this.settings.reportError(unavailable(error, this.settings));
        }
      }
    })().finally(() => (this.reconnecting = undefined));
  }
}

type TranslationSettings = Pick<AgendaStoreSettings, 'providerName' | 'endpoint' | 'redact' | 'isClosing'>;

/** A MongoDB error as a caller gets it: unreachable as `ProviderUnavailableError`, anything else a `BackendError`. */
export function translateMongoError(error: unknown, settings: TranslationSettings): Error {
  if (error instanceof SwitchyardError) return error;
  if (isClientClosedError(error) && settings.isClosing()) return new ProviderClosedError(settings.providerName);
  if (isUnreachableError(error) || isClientClosedError(error)) return unavailable(error, settings);
  return new BackendError(settings.providerName, settings.redact(toError(error).message), { cause: error });
}

function unavailable(error: unknown, settings: TranslationSettings): ProviderUnavailableError {
  if (error instanceof ProviderUnavailableError) return error;
  const { providerName, endpoint } = settings;
  return new ProviderUnavailableError(
    providerName,
    endpoint.host,
    endpoint.port,
    settings.redact(toError(error).message),
  );
}
