import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { RetryableError } from '@tgg/contracts';
import { discardRefusedBody } from './raw-body.js';

/** An HTTP failure with the `{ error, message }` body of SPEC §4. */
export class ApiError extends HttpException {
  constructor(status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super({ error: code, message }, status);
  }
}

const FASTIFY_CODES: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large', message: 'request body is over the 1 MiB limit' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'unsupported content type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: 'body is empty' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length', message: 'content-length does not match the body' },
};

/** Retry-After for a transient failure that did not say how long (seconds). */
const DEFAULT_RETRY_AFTER_S = 5;

/** Every error leaves as `{ error, message }`; unexpected ones are logged and never echo internals. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof ApiError) {
      void reply.status(exception.getStatus()).headers(exception.headers).send(exception.getResponse());
      return;
    }
    if (exception instanceof RetryableError) {
      // A dependency is down (e.g. Postgres on a channel-cache miss): the sender should come back,
      // not give up, so 503 + Retry-After. The message stays generic; the details go to the log.
      const retryAfterS = Math.max(1, Math.ceil((exception.retryAfterMs ?? DEFAULT_RETRY_AFTER_S * 1000) / 1000));
      this.logger.warn({ err: { message: exception.message, code: exception.code } }, 'request answered 503: a dependency is unavailable');
      void reply.status(503).headers({ 'retry-after': String(retryAfterS) }).send({ error: 'unavailable', message: 'temporarily unavailable, retry later' });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Fastify's body-limit error reaches us as Nest's PayloadTooLargeException.
      if (status === 413) keepReadingRefusedBody(host, reply);
      const known = Object.values(FASTIFY_CODES).find((entry) => entry.status === status && entry.status !== 400);
      const code = status === 404 ? 'not_found' : (known?.code ?? `http_${status}`);
      void reply.status(status).send({ error: code, message: known?.message ?? exception.message });
      return;
    }
    const fastifyCode = (exception as { code?: unknown }).code;
    const known = typeof fastifyCode === 'string' ? FASTIFY_CODES[fastifyCode] : undefined;
    if (known) {
      if (known.status === 413) keepReadingRefusedBody(host, reply);
      void reply.status(known.status).send({ error: known.code, message: known.message });
      return;
    }
    // Fastify marks what went wrong on the client's side (an upload aborted or cut by the request
    // timeout, a malformed request) with a 4xx statusCode: the client's problem, not an internal error.
    const statusCode = (exception as { statusCode?: unknown }).statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      this.logger.debug({ err: { message: (exception as { message?: unknown }).message, code: fastifyCode } }, 'request could not be read');
      void reply.status(statusCode).send({ error: statusCode === 400 ? 'bad_request' : `http_${statusCode}`, message: 'the request could not be read' });
      return;
    }
    this.logger.error({ err: exception }, 'unhandled error in request');
    void reply.status(500).send({ error: 'internal_error', message: 'internal error' });
  }
}

/** The 413 must reach a client still sending its body (raw-body.ts); Fastify may have asked to close. */
function keepReadingRefusedBody(host: ArgumentsHost, reply: FastifyReply): void {
  reply.removeHeader('connection');
  discardRefusedBody(host.switchToHttp().getRequest<FastifyRequest>().raw, reply.raw);
}
