import { ValidationError, isKnownTimeZone } from '@switchyard/core';

/** Field checks shared by the booking and payment validators; each throws `ValidationError` naming the field. */

export function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ValidationError(field, 'is required (a non-empty string)');
  // The id becomes part of a job id such as `booking:<id>:24h`.
  if (value.length > 128 || /[\s:]/.test(value)) {
    throw new ValidationError(field, 'must be at most 128 characters without spaces or colons');
  }
  return value;
}

export function requireDate(value: unknown, field: string): Date {
  const date = value instanceof Date ? new Date(value.getTime()) : typeof value === 'string' ? new Date(value) : null;
  if (date === null || Number.isNaN(date.getTime()))
    throw new ValidationError(field, 'must be a valid Date or ISO date string');
  return date;
}

export function requireEmail(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new ValidationError(field, 'must be an email address');
  }
  return value;
}

export function optionalPhone(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\+[1-9]\d{6,14}$/.test(value)) {
    throw new ValidationError(field, 'must be an E.164 phone number such as +33612345678');
  }
  return value;
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ValidationError(field, 'is required (a non-empty string)');
  return value;
}

export function optionalTimeZone(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isKnownTimeZone(value)) {
    throw new ValidationError(field, 'must be an IANA time zone such as Europe/Paris');
  }
  return value;
}

export function optionalLocale(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    if (typeof value !== 'string') throw new Error('not a string');
    return Intl.getCanonicalLocales(value)[0];
  } catch {
    throw new ValidationError(field, 'must be a BCP 47 locale such as fr-FR');
  }
}

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function requireCurrency(value: unknown, field: string): string {
  if (typeof value !== 'string' || !KNOWN_CURRENCIES.has(value.toUpperCase())) {
    throw new ValidationError(field, 'must be a known ISO 4217 currency code such as EUR');
  }
  return value.toUpperCase();
}

export function requireAmount(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(field, 'must be a finite number');
  if (value < 0) throw new ValidationError(field, 'must not be negative');
  return value;
}

export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new ValidationError(field, 'must be an object');
  return value as Record<string, unknown>;
}
