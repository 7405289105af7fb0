import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * How much of a refused (oversized) body is still read and thrown away after the 413, so the
 * client can read it: up to `maxBytes` more, for at most `maxMs`. Past either the socket is cut.
 */
export const REFUSED_BODY_DRAIN = { maxBytes: 8 * WEBHOOK_BODY_LIMIT_BYTES, maxMs: 5_000 } as const;

/**
 * Every body arrives as the raw bytes: signatures are checked over exactly what was sent, secrets
 * are checked before any JSON parsing, and "not JSON" is our 400 rather than a framework 415.
 */
export function useRawBodies(fastify: FastifyInstance, bodyLimit = WEBHOOK_BODY_LIMIT_BYTES): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
}

/**
 * Call before answering a request whose body will not be read (413): the client is usually still
 * sending it. Closing a socket with unread data sends RST, and a client that writes its whole body
 * before reading (curl, fetch, most libraries) then loses the answer to the reset (EPIPE/ECONNRESET).
 * Node closes right after the response when the request said `Connection: close` or was HTTP/1.0,
 * so the answer says `keep-alive`, the rest of the body is read and dropped (nothing kept), and once
 * it has all arrived a connection the client wanted closed is closed cleanly. A client that keeps
 * sending past REFUSED_BODY_DRAIN is cut off.
 */
export function discardRefusedBody(request: IncomingMessage, response: ServerResponse): void {
  const socket = request.socket;
  if (request.complete) return;
  const clientWantsClose = !response.shouldKeepAlive;
  // A `connection` header of our own is what makes Node keep the socket after the response.
  if (!response.headersSent) response.setHeader('connection', 'keep-alive');
  let drained = 0;
  const cut = () => {
    if (!request.complete) socket.destroy();
  };
  const deadline = setTimeout(cut, REFUSED_BODY_DRAIN.maxMs);
  deadline.unref();
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > REFUSED_BODY_DRAIN.maxBytes) cut();
  });
  request.once('end', () => {
    clearTimeout(deadline);
    if (!clientWantsClose) return;
    // The whole body is in: closing now sends FIN, not RST. After the answer, if it is still going out.
    if (response.writableFinished) socket.end();
    else response.once('finish', () => socket.end());
  });
  request.once('close', () => clearTimeout(deadline));
}
