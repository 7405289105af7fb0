import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';

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
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const known = Object.values(FASTIFY_CODES).find((entry) => entry.status === status && entry.status !== 400);
      const code = status === 404 ? 'not_found' : (known?.code ?? `http_${status}`);
      void reply.status(status).send({ error: code, message: known?.message ?? exception.message });
      return;
    }
    const fastifyCode = (exception as { code?: unknown }).code;
    const known = typeof fastifyCode === 'string' ? FASTIFY_CODES[fastifyCode] : undefined;
    if (known) {
      void reply.status(known.status).send({ error: known.code, message: known.message });
      return;
    }
    this.logger.error({ err: exception }, 'unhandled error in request');
    void reply.status(500).send({ error: 'internal_error', message: 'internal error' });
  }
}
