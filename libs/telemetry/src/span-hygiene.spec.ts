import { fetchSpanAttributes, isHousekeepingPath, outgoingHttpSpanAttributes, redisStatement } from './span-hygiene.js';

const TOKEN = '7000000000:AAE-secret_token';

describe('span hygiene', () => {
  it('replaces fetch URL attributes only when the path carries a bot token', () => {
    expect(fetchSpanAttributes({ origin: 'https://api.telegram.org', path: `/bot${TOKEN}/sendMessage` })).toEqual({
      'url.full': 'https://api.telegram.org/bot<redacted>/sendMessage',
      'url.path': '/bot<redacted>/sendMessage',
    });
    expect(fetchSpanAttributes({ origin: 'https://api.telegram.org', path: `/file/bot${TOKEN}/photos/a.jpg?x=1` })).toEqual({
      'url.full': 'https://api.telegram.org/file/bot<redacted>/photos/a.jpg?x=1',
      'url.path': '/file/bot<redacted>/photos/a.jpg',
    });
    // Anything else keeps the instrumentation's own attributes.
    expect(fetchSpanAttributes({ origin: 'https://api.mypurecloud.com', path: '/api/v2/conversations/messages/x/inbound/open/message' })).toEqual({});
  });

  it('does the same for node:http requests', () => {
    expect(outgoingHttpSpanAttributes({ protocol: 'https:', hostname: 'api.telegram.org', path: `/bot${TOKEN}/getMe` })).toEqual({ 'url.full': 'https://api.telegram.org/bot<redacted>/getMe' });
    expect(outgoingHttpSpanAttributes({ hostname: '127.0.0.1', port: 4318, path: '/v1/traces' })).toEqual({});
  });

  it('shows Redis commands with their keys, never their values', () => {
    // BullMQ's addJob: EVALSHA sha numkeys key… arg… — the args hold the job, customer text included.
    expect(redisStatement('evalsha', ['abc123', 2, 'tgg:telegram-updates:wait', 'tgg:telegram-updates:id', '{"text":"hola"}'])).toBe('evalsha tgg:telegram-updates:wait tgg:telegram-updates:id');
    expect(redisStatement('set', ['tgg:genesys-accepted:m.default.1', '{"conversationId":"c"}', 'EX', 86400])).toBe('set tgg:genesys-accepted:m.default.1');
    expect(redisStatement('auth', ['default', 'redis-password'])).toBe('auth');
    expect(redisStatement('hello', [3, 'AUTH', 'default', 'redis-password'])).toBe('hello');
    expect(redisStatement('ping', [])).toBe('ping');
  });

  it('leaves probes and scrapes untraced', () => {
    expect(['/health/live', '/health/ready?x=1', '/metrics'].map(isHousekeepingPath)).toEqual([true, true, true]);
    expect(['/telegram/webhook/default', '/healthy', '/media/abc', undefined].map(isHousekeepingPath)).toEqual([false, false, false, false]);
  });
});
