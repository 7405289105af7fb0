/** Connection facts for tests; the same defaults as the product (SPEC §3). */
export function baseDatabaseUrl(): string {
  return process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/tg_genesys';
}

export function redisUrl(): string {
  return process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

/** The maintenance database of the same server, for CREATE/DROP DATABASE. */
export function adminUrl(): string {
  const url = new URL(baseDatabaseUrl());
  url.pathname = '/postgres';
  return url.toString();
}
