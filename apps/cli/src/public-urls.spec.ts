import { CliError } from './cli-error.js';
import { checkOutboundUrl, genesysOutboundUrl, telegramWebhookUrl } from './public-urls.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CliError) return error.message;
    throw error;
  }
  throw new Error('expected a CliError');
}

describe('telegramWebhookUrl', () => {
  it('appends /telegram/webhook/<channel> to an https base, keeping a proxy path prefix', () => {
    expect(telegramWebhookUrl('https://bridge.example.com', 'default')).toBe('https://bridge.example.com/telegram/webhook/default');
    expect(telegramWebhookUrl('https://bridge.example.com:8443/tg', 'support')).toBe('https://bridge.example.com:8443/tg/telegram/webhook/support');
    expect(telegramWebhookUrl('https://bridge.example.com/', 'default')).toBe('https://bridge.example.com/telegram/webhook/default');
  });

  it('accepts plain http only for localhost and 127.0.0.1 (the emulators)', () => {
    expect(telegramWebhookUrl('http://localhost:3000', 'default')).toBe('http://localhost:3000/telegram/webhook/default');
    expect(telegramWebhookUrl('http://127.0.0.1:3000', 'default')).toBe('http://127.0.0.1:3000/telegram/webhook/default');
    expect(messageOf(() => telegramWebhookUrl('http://bridge.example.com', 'default'))).toContain('must start with https://');
  });

  it.each(['3000', '8080', '444'])('refuses https port %s, which Telegram will not call', (port) => {
    expect(messageOf(() => telegramWebhookUrl(`https://bridge.example.com:${port}`, 'default'))).toContain('ports 443, 80, 88 or 8443');
  });

  it.each([
    ['https://bridge.example.com/telegram/webhook/default', 'not a webhook URL'],
    ['https://bridge.example.com/genesys/webhook', 'not a webhook URL'],
    ['https://bridge.example.com/a//b', 'empty path segment'],
    ['https://bridge.example.com/?x=1', 'without ?query'],
    ['https://user:pw@bridge.example.com', 'user:password@'],
    ['ftp://bridge.example.com', 'http(s) URL'],
    ['bridge.example.com', 'not a URL'],
  ])('refuses %s with a message saying why', (base, reason) => {
    expect(messageOf(() => telegramWebhookUrl(base, 'default'))).toContain(reason);
  });

  it('never echoes credentials found in the base URL', () => {
    expect(messageOf(() => telegramWebhookUrl('https://user:hunter2secret@bridge.example.com', 'default'))).not.toContain('hunter2secret');
  });
});

describe('genesysOutboundUrl', () => {
  it('uses the public host behind the proxy and OUTBOUND_PORT on localhost', () => {
    expect(genesysOutboundUrl('https://bridge.example.com', 3001, 'default')).toBe('https://bridge.example.com/genesys/webhook/default');
    expect(genesysOutboundUrl('http://localhost:3000', 3001, 'support')).toBe('http://localhost:3001/genesys/webhook/support');
  });

  it('refuses a public http base: Genesys posts only to https', () => {
    expect(messageOf(() => genesysOutboundUrl('http://bridge.example.com', 3001, 'default'))).toContain('https://');
  });
});

describe('checkOutboundUrl', () => {
  it('accepts https and local http, refuses public http', () => {
    expect(checkOutboundUrl('https://replies.example.com/genesys/webhook/x')).toBe('https://replies.example.com/genesys/webhook/x');
    expect(checkOutboundUrl('http://127.0.0.1:3001/genesys/webhook/x')).toBe('http://127.0.0.1:3001/genesys/webhook/x');
    expect(messageOf(() => checkOutboundUrl('http://replies.example.com/x'))).toContain('https://');
  });
});
