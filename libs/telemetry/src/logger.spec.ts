import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { Writable } from 'node:stream';
import { createLogger, redactBotToken } from './logger.js';
import { traceFields } from './log-trace-fields.js';

function captureLogs() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger('test', { level: 'debug', pretty: false }, destination) };
}

describe('logger redaction', () => {
  const secrets = {
    telegramSecret: 'tg-webhook-secret-value',
    signature: 'sha256=c2lnbmF0dXJlLXZhbHVl',
    bearer: 'Bearer eyJhbGciOi.secret.token',
    botToken: '123456:AAE-bot-token-value',
    clientSecret: 'genesys-client-secret-value',
  };

  it('blanks secret headers and secret fields wherever they appear', () => {
    const { lines, logger } = captureLogs();
    logger.info(
      {
        req: { headers: { 'x-telegram-bot-api-secret-token': secrets.telegramSecret, 'x-hub-signature-256': secrets.signature, authorization: secrets.bearer } },
        channel: { botToken: secrets.botToken, clientSecret: secrets.clientSecret },
      },
      'request',
    );
    const output = lines.join('');
    for (const secret of Object.values(secrets)) expect(output).not.toContain(secret);
    expect(output).toContain('[redacted]');
  });

  it('logs the path of a request, never its signed query', () => {
    const { lines, logger } = captureLogs();
    logger.info({ req: { method: 'GET', url: '/media/abc?exp=1&sig=s3cr3tsig' } }, 'media');
    expect(lines.join('')).toContain('/media/abc');
    expect(lines.join('')).not.toContain('s3cr3tsig');
  });
});

describe('redactBotToken', () => {
  it('removes the token from Bot API and file URLs', () => {
    expect(redactBotToken('https://api.telegram.org/bot123:AbC-d_e/sendMessage')).toBe('https://api.telegram.org/bot<redacted>/sendMessage');
    expect(redactBotToken('https://api.telegram.org/file/bot123:AbC/photos/1.jpg')).toBe('https://api.telegram.org/file/bot<redacted>/photos/1.jpg');
    expect(redactBotToken('failed: POST http://127.0.0.1:9/bot7:x/getMe ECONNREFUSED')).not.toContain('7:x');
  });
});

describe('trace fields in log lines', () => {
  const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };

  it('names the active span, and nothing when there is none', () => {
    expect(traceFields(trace.setSpanContext(ROOT_CONTEXT, spanContext))).toEqual({ trace_id: spanContext.traceId, span_id: spanContext.spanId });
    expect(traceFields(ROOT_CONTEXT)).toEqual({});
    expect(traceFields(trace.setSpanContext(ROOT_CONTEXT, { ...spanContext, traceId: '0'.repeat(32) }))).toEqual({});
  });

  it('adds nothing to a line written outside a span', () => {
    const { lines, logger } = captureLogs();
    logger.info({ updateId: 1 }, 'plain');
    expect(JSON.parse(lines[0] ?? '{}')).not.toHaveProperty('trace_id');
  });
});
