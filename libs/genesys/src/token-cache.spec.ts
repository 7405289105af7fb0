import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RetryableError } from '@tgg/contracts';
import { GenesysTokenCache } from './token-cache.js';

const nowMs = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('GenesysTokenCache when the token endpoint is unavailable', () => {
  let server: Server;
  let retryAfter: string | undefined;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(503, retryAfter === undefined ? {} : { 'retry-after': retryAfter }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function failureWith(value: string | undefined): Promise<RetryableError> {
    retryAfter = value;
    const cache = new GenesysTokenCache({ loginBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, clientId: 'id', clientSecret: 'secret', now: () => nowMs });
    const error: unknown = await cache.token().then(() => undefined, (reason: unknown) => reason);
    if (!(error instanceof RetryableError)) throw new Error('expected a RetryableError');
    return error;
  }

  it('honours Retry-After as delta-seconds and as an HTTP-date, and ignores junk', async () => {
    expect(await failureWith('7')).toMatchObject({ code: 'genesys_token_unavailable', retryAfterMs: 7_000 });
    expect(await failureWith('Thu, 01 Jan 2026 12:00:30 GMT')).toMatchObject({ retryAfterMs: 30_000 });
    expect(await failureWith('soon')).toMatchObject({ retryAfterMs: undefined });
    expect(await failureWith(undefined)).toMatchObject({ retryAfterMs: undefined });
  });
});
