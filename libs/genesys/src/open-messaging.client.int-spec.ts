import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PermanentError, RetryableError } from '@tgg/contracts';
import { OpenMessagingClient } from './open-messaging.client.js';
import { GenesysTokenCache } from './token-cache.js';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A local HTTP server standing in for Genesys: /oauth/token hands out numbered tokens, the rest is `handler`'s. */
async function genesysServer(handler: Handler): Promise<{ url: string; server: Server; tokensIssued: () => number; authorizations: string[] }> {
  let issued = 0;
  const authorizations: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      if (request.url === '/oauth/token') {
        issued += 1;
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `token-${issued}`, token_type: 'bearer', expires_in: 86_400 }));
        return;
      }
      authorizations.push(request.headers.authorization ?? '');
      handler(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, tokensIssued: () => issued, authorizations };
}

function clientFor(url: string, timeoutMs = 2_000): OpenMessagingClient {
  const tokens = new GenesysTokenCache({ loginBaseUrl: url, clientId: 'client', clientSecret: 'secret' });
  return new OpenMessagingClient({ apiBaseUrl: url, tokens, timeoutMs });
}

const MESSAGE = { channel: { platform: 'Open', type: 'Private', messageId: '42:7', to: { id: 'integration' }, from: { id: '42', idType: 'Opaque' }, time: '2026-12-06T10:00:00.000Z' }, type: 'Text', text: 'hi', direction: 'Inbound' } as never;

describe('OpenMessagingClient over HTTP (local server as Genesys)', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });
  const start = async (handler: Handler) => {
    const genesys = await genesysServer(handler);
    servers.push(genesys.server);
    return genesys;
  };

  it('posts the message with the bearer token and reads the conversation id from the answer', async () => {
    const seen: { path?: string; body?: unknown } = {};
    const genesys = await start((request, body, response) => {
      Object.assign(seen, { path: request.url, body: JSON.parse(body) });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'g-1', conversationId: 'c-1' }));
    });
    expect(await clientFor(genesys.url).sendInboundMessage('integration/1', MESSAGE)).toMatchObject({ id: 'g-1', conversationId: 'c-1' });
    expect(seen.path).toBe('/api/v2/conversations/messages/integration%2F1/inbound/open/message?prefetchConversationId=true');
    expect(seen.body).toEqual(MESSAGE);
    expect(genesys.authorizations).toEqual(['Bearer token-1']);
  });

  it('refreshes the token once on 401 and retries; a second 401 is retryable, not permanent', async () => {
    let calls = 0;
    const genesys = await start((_request, _body, response) => {
      calls += 1;
      if (calls === 1) response.writeHead(401).end('{"contextId":"ctx-401"}');
      else response.writeHead(202).end('');
    });
    const client = clientFor(genesys.url);
    await client.sendReceipt('integration', { id: 'r', channel: {}, status: 'Delivered', direction: 'Outbound' } as never);
    expect(genesys.authorizations).toEqual(['Bearer token-1', 'Bearer token-2']);

    const always401 = await start((_request, _body, response) => response.writeHead(401).end());
    const error = await clientFor(always401.url).sendReceipt('integration', {} as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).code).toBe('genesys_unauthorized');
  });

  it('reads Retry-After (seconds or HTTP date) from a 429 and names the contextId of a 400', async () => {
    const genesys = await start((request, _body, response) => {
      if (request.url?.includes('receipt')) response.writeHead(429, { 'retry-after': '7' }).end();
      else response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'bad', contextId: 'ctx-400' }));
    });
    const client = clientFor(genesys.url);
    const throttled = await client.sendReceipt('integration', {} as never).catch((caught: unknown) => caught);
    expect(throttled).toBeInstanceOf(RetryableError);
    expect((throttled as RetryableError).retryAfterMs).toBe(7_000);
    const refused = await client.sendInboundMessage('integration', MESSAGE).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(PermanentError);
    expect((refused as PermanentError).message).toContain('(contextId ctx-400)');
  });

  it('turns a Genesys that never answers into genesys_timeout, and a closed port into genesys_unreachable', async () => {
    const silent = await start(() => undefined); // reads the request, never answers
    const timedOut = await clientFor(silent.url, 300).sendInboundMessage('integration', MESSAGE).catch((caught: unknown) => caught);
    expect(timedOut).toBeInstanceOf(RetryableError);
    expect((timedOut as RetryableError).code).toBe('genesys_timeout');

    const closed = await start((_request, _body, response) => response.end());
    const url = closed.url;
    const tokens = new GenesysTokenCache({ loginBaseUrl: url, clientId: 'client', clientSecret: 'secret' });
    await tokens.token(); // the token comes before the port closes
    await new Promise((resolve) => closed.server.close(resolve));
    closed.server.closeAllConnections();
    servers.splice(servers.indexOf(closed.server), 1);
    const refused = await new OpenMessagingClient({ apiBaseUrl: url, tokens }).sendInboundMessage('integration', MESSAGE).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(RetryableError);
    expect((refused as RetryableError).code).toBe('genesys_unreachable');
  });
});
