import type { Db } from 'mongodb';
import { ValidationError, type CommonProviderOptions } from '@switchyard/core';

/** Settings of the Agenda provider besides how to reach MongoDB. */
export interface AgendaSettings {
  /** The jobs collection; default 'agenda_jobs'. Pause flags live in `<collection>_paused`. */
  collection?: string;
  /** How often each worker polls MongoDB for due jobs; default 5000. See the class comment for what it means for `runAt`. */
  processEveryMs?: number;
  /** How long a worker's lock on a running job lasts without renewal; default 60 000. A crashed worker's job runs again after it. */
  lockLifetimeMs?: number;
  /** How long connect() (and any call while MongoDB is down) may wait for a server; default 5000. */
  connectTimeoutMs?: number;
}

/** Either a connection string (the provider opens and closes the client) or a `Db` the service already holds (left open). */
export type AgendaConnection = { mongoUrl: string; db?: undefined } | { db: Db; mongoUrl?: undefined };

export type AgendaQueueProviderOptions = CommonProviderOptions & AgendaSettings & AgendaConnection;

export const DEFAULT_AGENDA_COLLECTION = 'agenda_jobs';
export const DEFAULT_PROCESS_EVERY_MS = 5000;
export const DEFAULT_LOCK_LIFETIME_MS = 60_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** A whole-number setting of at least 1, or its default. */
export function positiveInteger(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValidationError(field, 'must be a whole number of at least 1');
  }
  return value;
}
