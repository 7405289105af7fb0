import type { FastifyInstance } from 'fastify';

export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Every body arrives as the raw bytes: signatures are checked over exactly what was sent, secrets
 * are checked before any JSON parsing, and "not JSON" is our 400 rather than a framework 415.
 */
export function useRawBodies(fastify: FastifyInstance, bodyLimit = WEBHOOK_BODY_LIMIT_BYTES): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
}
