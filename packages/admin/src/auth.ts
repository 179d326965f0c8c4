import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoopback } from './loopback.js';

/** The one body every refused request gets, whatever was wrong, so a caller learns nothing from it. */
export const UNAUTHORIZED_BODY = { error: 'Missing or invalid bearer token' } as const;

/**
 * Decides whether a request may use `/api`.
 *
 * With a token: the `Authorization: Bearer <token>` header must match. Both sides are
 * hashed to SHA-256 first, so `timingSafeEqual` always compares 32 bytes: a wrong
 * token of another length takes the same time and gets the same answer as a wrong
 * token of the right length.
 *
 * Without a token (`insecureLocal`): only peers on a loopback address are let in.
 */
export function createRequestAuthorizer(token: string | undefined): (request: FastifyRequest) => boolean {
  if (token === undefined) {
    return (request) => isLoopback(request.socket.remoteAddress ?? '');
  }
  const expected = sha256(token);
  return (request) => {
    const presented = bearerToken(request.headers.authorization);
    // Hash even when nothing was presented, so a missing header costs the same as a wrong one.
    const matches = timingSafeEqual(sha256(presented ?? ''), expected);
    return presented !== undefined && matches;
  };
}

/** Sends the 401 with its challenge header. */
export function refuse(reply: FastifyReply): void {
  void reply.code(401).header('www-authenticate', 'Bearer realm="switchyard-admin"').send(UNAUTHORIZED_BODY);
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
