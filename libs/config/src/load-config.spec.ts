import { ENV_RULES } from './env-rules.js';
import { EnvSchema } from './env.schema.js';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';

const fullCredentials = {
  TELEGRAM_BOT_TOKEN: '123456:ABC-def_ghi',
  TELEGRAM_WEBHOOK_SECRET: 'hook_secret-1',
  GENESYS_CLIENT_ID: 'client-id',
  GENESYS_CLIENT_SECRET: 'client-secret-value',
  GENESYS_INTEGRATION_ID: '3f9c2a00-0000-4000-8000-000000000001',
  GENESYS_WEBHOOK_SECRET: 'a-genesys-secret-longer-than-15',
  ENCRYPTION_KEY: 'ab'.repeat(32),
};

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs in sandbox mode with SPEC defaults when no credential is set', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('sandbox');
    expect(config.defaultChannel).toBeUndefined();
    expect(config.db.url).toBe('postgresql://postgres@127.0.0.1:5432/tg_genesys');
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', queuePrefix: 'tgg' });
    expect(config.http.ports).toEqual({ ingress: 3000, outbound: 3001, sequencer: 3002, dispatcher: 3003 });
    expect(config.sequencer.windowMs).toBe(300);
    expect(config.media.urlTtlS).toBe(3600);
    expect(config.encryptionKey).toHaveLength(32);
    expect(config.encryptionKeyGenerated).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('defines the default channel when every credential is set', () => {
    const config = loadConfig(fullCredentials);
    expect(config.mode).toBe('live');
    expect(config.defaultChannel).toEqual({
      name: 'default',
      botToken: fullCredentials.TELEGRAM_BOT_TOKEN,
      webhookSecret: fullCredentials.TELEGRAM_WEBHOOK_SECRET,
      genesysIntegrationId: fullCredentials.GENESYS_INTEGRATION_ID,
      genesysWebhookSecret: fullCredentials.GENESYS_WEBHOOK_SECRET,
    });
    expect(config.encryptionKey.equals(Buffer.from('ab'.repeat(32), 'hex'))).toBe(true);
  });

  it('names every missing credential of a partial set', () => {
    const { GENESYS_CLIENT_SECRET: _secret, GENESYS_INTEGRATION_ID: _integration, ...partial } = fullCredentials;
    const error = errorOf(() => loadConfig(partial));
    expect(error.message).toContain('GENESYS_CLIENT_SECRET');
    expect(error.message).toContain('GENESYS_INTEGRATION_ID');
  });

  it('requires ENCRYPTION_KEY outside sandbox mode', () => {
    const { ENCRYPTION_KEY: _key, ...withoutKey } = fullCredentials;
    expect(errorOf(() => loadConfig(withoutKey)).message).toContain('ENCRYPTION_KEY');
  });

  it('accepts a base64 key and rejects a short one without echoing it', () => {
    const base64Key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ ...fullCredentials, ENCRYPTION_KEY: base64Key }).encryptionKey.equals(Buffer.alloc(32, 7))).toBe(true);
    const error = errorOf(() => loadConfig({ ...fullCredentials, ENCRYPTION_KEY: 'tooShortKeyValue' }));
    expect(error.message).toContain('ENCRYPTION_KEY');
    expect(error.message).not.toContain('tooShortKeyValue');
  });

  it.each([
    ['TELEGRAM_WEBHOOK_SECRET', 'has spaces!'],
    ['GENESYS_WEBHOOK_SECRET', 'tiny-9'],
    ['SEQUENCER_WINDOW_MS', '-1'],
    ['INGRESS_PORT', 'eighty'],
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['LOG_LEVEL', 'loud'],
    ['QUEUE_PREFIX', 'tgg prod'],
    ['QUEUE_PREFIX', 'x'.repeat(65)],
    ['QUEUE_PREFIX', '{tgg}'],
    ['TRUST_PROXY', 'everyone'],
    ['TELEGRAM_ALLOWED_CIDRS', '10.0.0.0/33'],
    ['OUTBOUND_GLOBAL_PER_S', '-7'],
  ])('names %s and the rule it broke when its value is invalid, without printing the value', (name, value) => {
    const error = errorOf(() => loadConfig({ ...fullCredentials, [name]: value }));
    expect(error.message).toBe(`invalid environment variable: ${name} — ${(ENV_RULES as Readonly<Record<string, string>>)[name]}`); // as: it.each widens the names to string
    expect(error.message).not.toContain(value);
  });

  it('states every failing variable with its rule on one line', () => {
    const error = errorOf(() => loadConfig({ INGRESS_PORT: 'eighty', QUEUE_PREFIX: 'tgg prod', LOG_LEVEL: 'loud' }));
    expect(error.message.split('; ').sort()).toEqual([
      'invalid environment variable: INGRESS_PORT — an integer port 1–65535',
      'invalid environment variable: LOG_LEVEL — one of fatal, error, warn, info, debug, trace, silent',
      'invalid environment variable: QUEUE_PREFIX — 1–64 characters of A-Za-z0-9_.:- (Redis-key-safe)',
    ]);
    expect(error.message).not.toContain('\n');
  });

  it('states a rule for every variable the schema reads, except free text', () => {
    const freeText = new Set(['NODE_ENV', 'GENESYS_CLIENT_ID', 'GENESYS_CLIENT_SECRET', 'ENCRYPTION_KEY', 'ENCRYPTION_KEY_PREVIOUS']);
    const withoutRule = Object.keys(EnvSchema.shape).filter((name) => !freeText.has(name) && !(name in ENV_RULES));
    // A variable added without a rule still fails with zod's message (an expectation, never the input); this keeps the table complete.
    expect(withoutRule).toEqual([]);
  });

  it.each(['tgg', 'acme_prod', 'acme.prod:bridge-1', 'A', 'x'.repeat(64)])('accepts the Redis-key-safe QUEUE_PREFIX %s', (prefix) => {
    expect(loadConfig({ QUEUE_PREFIX: prefix }).redis.queuePrefix).toBe(prefix);
  });

  it.each([
    ['', false],
    ['false', false],
    ['0', false],
    ['1', 1],
    [' 2 ', 2],
    ['32', 32],
    ['10.0.0.0/8', ['10.0.0.0/8']],
    ['10.0.0.0/8, 192.168.1.7,fd00::/8, ::1', ['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1']],
    ['loopback,uniquelocal', ['loopback', 'uniquelocal']],
  ])('reads TRUST_PROXY=%j as %j', (text, expected) => {
    expect(loadConfig({ TRUST_PROXY: text }).http.trustProxy).toEqual(expected);
  });

  it.each(['true', 'TRUE', 'yes', '33', '-1', '1.5', '10.0.0.0/33', '::1/129', '10.0.0.0/8,', '10.0.0/8', 'proxy.internal'])('refuses TRUST_PROXY=%j with the rule, saying why `true` is not allowed', (text) => {
    const error = errorOf(() => loadConfig({ TRUST_PROXY: text }));
    expect(error.message).toMatch(/^invalid environment variable: TRUST_PROXY — false, the number of proxies in front \(1–32\), or comma-separated addresses\/CIDRs .* true \(trust every hop\) is refused/);
  });

  it('never prints secret values in any error', () => {
    const error = errorOf(() => loadConfig({ ...fullCredentials, INGRESS_PORT: 'x' }));
    for (const secret of Object.values(fullCredentials)) expect(error.message).not.toContain(secret);
  });

  it('treats empty strings as unset, so compose pass-through of unset variables means sandbox', () => {
    const blanks = Object.fromEntries(Object.keys(fullCredentials).map((name) => [name, '']));
    expect(loadConfig(blanks).mode).toBe('sandbox');
  });

  it('limits PUBLIC_BASE_URL to 200 characters, so media links stay within 300', () => {
    const longest = `https://${'b'.repeat(180)}.example.com`;
    expect(longest).toHaveLength(200);
    expect(loadConfig({ PUBLIC_BASE_URL: longest }).http.publicBaseUrl).toBe(longest);
    expect(errorOf(() => loadConfig({ PUBLIC_BASE_URL: `${longest}/x` })).message).toContain('PUBLIC_BASE_URL');
  });

  it('parses the CIDR allowlist and rejects malformed entries', () => {
    expect(loadConfig({ TELEGRAM_ALLOWED_CIDRS: '149.154.160.0/20, 91.108.4.0/22' }).telegram.allowedCidrs).toEqual(['149.154.160.0/20', '91.108.4.0/22']);
    expect(errorOf(() => loadConfig({ TELEGRAM_ALLOWED_CIDRS: 'everyone' })).message).toContain('TELEGRAM_ALLOWED_CIDRS');
  });

  it('reads previous keys for rotation and names the variable when one is malformed', () => {
    const previous = Buffer.alloc(32, 9).toString('hex');
    expect(loadConfig({ ...fullCredentials, ENCRYPTION_KEY_PREVIOUS: previous }).previousEncryptionKeys).toEqual([Buffer.alloc(32, 9)]);
    const error = errorOf(() => loadConfig({ ...fullCredentials, ENCRYPTION_KEY_PREVIOUS: `${previous},short` }));
    expect(error.message).toContain('ENCRYPTION_KEY_PREVIOUS');
    expect(error.message).not.toContain(previous);
  });
});

describe('DATABASE_POOL_SIZE', () => {
  it('defaults to 10 connections per process and takes a per-service value', () => {
    expect(loadConfig({}).db.poolSize).toBe(10);
    expect(loadConfig({ DATABASE_POOL_SIZE: '4' }).db.poolSize).toBe(4);
  });

  it.each(['0', '-1', '2.5', 'many', '101'])('rejects %s, naming the variable', (value) => {
    expect(errorOf(() => loadConfig({ DATABASE_POOL_SIZE: value })).message).toBe('invalid environment variable: DATABASE_POOL_SIZE — an integer 1–100');
  });
});

describe('ops console', () => {
  const token = 'f'.repeat(64);

  it('is off unless a token or basic-auth credentials are set', () => {
    expect(loadConfig({}).opsConsole).toBeUndefined();
    expect(loadConfig({ OPS_CONSOLE_TOKEN: '' }).opsConsole).toBeUndefined();
  });

  it('takes a token, basic-auth credentials, or both', () => {
    expect(loadConfig({ OPS_CONSOLE_TOKEN: token }).opsConsole).toEqual({ token, basic: undefined });
    expect(loadConfig({ OPS_CONSOLE_USER: 'ops', OPS_CONSOLE_PASSWORD: 'correct horse battery' }).opsConsole).toEqual({ token: undefined, basic: { user: 'ops', password: 'correct horse battery' } });
    expect(loadConfig({ OPS_CONSOLE_TOKEN: token, OPS_CONSOLE_USER: 'ops', OPS_CONSOLE_PASSWORD: 'correct horse battery' }).opsConsole?.basic?.user).toBe('ops');
  });

  it('refuses a user without a password and a password without a user, naming the missing variable', () => {
    expect(errorOf(() => loadConfig({ OPS_CONSOLE_USER: 'ops' })).message).toMatch(/^missing environment variable: OPS_CONSOLE_PASSWORD — OPS_CONSOLE_USER is set/);
    const error = errorOf(() => loadConfig({ OPS_CONSOLE_PASSWORD: 'correct horse battery' }));
    expect(error.message).toMatch(/^missing environment variable: OPS_CONSOLE_USER — OPS_CONSOLE_PASSWORD is set/);
    expect(error.message).not.toContain('correct horse battery');
  });

  it.each([
    ['OPS_CONSOLE_TOKEN', 'short-token'],
    ['OPS_CONSOLE_TOKEN', `${'a'.repeat(40)} with spaces`],
    ['OPS_CONSOLE_PASSWORD', 'short'],
  ])('refuses a weak %s with its rule and without echoing it', (name, value) => {
    const env = name === 'OPS_CONSOLE_PASSWORD' ? { OPS_CONSOLE_USER: 'ops', [name]: value } : { [name]: value };
    const error = errorOf(() => loadConfig(env));
    expect(error.message).toMatch(new RegExp(`^invalid environment variable: ${name} — `));
    expect(error.message).not.toContain(value);
  });

  it('refuses a user name with a colon (it would split the basic-auth pair)', () => {
    expect(errorOf(() => loadConfig({ OPS_CONSOLE_USER: 'a:b', OPS_CONSOLE_PASSWORD: 'correct horse battery' })).message).toMatch(/^invalid environment variable: OPS_CONSOLE_USER — /);
  });

  it('reads GRAFANA_URL without its trailing slash', () => {
    expect(loadConfig({ GRAFANA_URL: 'http://grafana.local:3000/' }).telemetry.grafanaUrl).toBe('http://grafana.local:3000');
    expect(errorOf(() => loadConfig({ GRAFANA_URL: 'ftp://x' })).message).toMatch(/^invalid environment variable: GRAFANA_URL — /);
  });
});
