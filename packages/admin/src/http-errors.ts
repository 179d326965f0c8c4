import type { FastifyError, FastifyInstance } from 'fastify';
import { ProviderClosedError, ProviderUnavailableError, ValidationError, type Logger } from '@switchyard/core';

/** The body of every error the admin server sends: a message for people, and the offending field when there is one. */
export interface ErrorBody {
  error: string;
  field?: string;
}

/** A request that names something that does not exist (a job id). */
export class NotFoundError extends Error {
  readonly statusCode = 404;
}

/** A request that the target's current state forbids (retrying a job that has not failed, cancelling a running one). */
export class ConflictError extends Error {
  readonly statusCode = 409;
}

/**
 * Turns every error into `{ error, field? }` with the right status:
 * - 400: schema violations (fastify's), `ValidationError` (core's), malformed JSON (`field: 'body'`);
 * - 404 / 409: `NotFoundError` / `ConflictError` from the routes;
 * - 503: the provider is closed or its backend unreachable;
 * - 429 and other client errors fastify raises keep their status and message;
 * - anything else is a 500 whose details go to the log, never to the client
 *   (no stack traces, no backend error text).
 */
export function installErrorHandler(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = describe(error);
    if (status >= 500 && status !== 503) {
      logger.error('admin request failed', {
        method: request.method,
        url: request.url,
        error: error.message,
        stack: error.stack,
      });
    }
    return reply.code(status).send(body);
  });
}

function describe(error: FastifyError): { status: number; body: ErrorBody } {
  if (error.validation !== undefined && error.validation.length > 0) {
    const issue = error.validation[0]!;
    const field = schemaFieldOf(issue);
    return { status: 400, body: { error: `Invalid ${field}: ${schemaReasonOf(issue)}`, field } };
  }
  if (error instanceof ValidationError) return { status: 400, body: { error: error.message, field: error.field } };
  // Not JSON at all (or JSON with a __proto__ / constructor.prototype key, which fastify's parser refuses): the body is at fault.
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return { status: 400, body: { error: error.message, field: 'body' } };
  }
  if (error instanceof NotFoundError || error instanceof ConflictError) {
    return { status: error.statusCode, body: { error: error.message } };
  }
  if (error instanceof ProviderUnavailableError || error instanceof ProviderClosedError) {
    return { status: 503, body: { error: error.message } };
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return { status, body: { error: error.message } };
  return { status: 500, body: { error: 'Internal server error' } };
}

type SchemaIssue = NonNullable<FastifyError['validation']>[number] & { propertyName?: string };

/** `/options/priority` plus Ajv's params → `options.priority`; a missing or unknown key names itself. */
function schemaFieldOf(issue: SchemaIssue): string {
  const path = issue.instancePath.split('/').filter((part) => part !== '');
  const params = issue.params as { missingProperty?: string; propertyName?: string };
  const key = params.missingProperty ?? issue.propertyName ?? params.propertyName;
  if (key !== undefined) path.push(key);
  return path.length > 0 ? path.join('.') : 'body';
}

function schemaReasonOf(issue: SchemaIssue): string {
  if (issue.schemaPath.includes('/propertyNames')) {
    const allowed = (issue.params as { allowedValues?: unknown[] }).allowedValues;
    return allowed === undefined ? 'unknown property' : `unknown property (known: ${allowed.join(', ')})`;
  }
  if (issue.keyword === 'required') return 'is required';
  if (issue.keyword === 'enum') {
    const allowed = (issue.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `must be one of ${allowed.join(', ')}`;
  }
  return issue.message ?? 'is not valid';
}
