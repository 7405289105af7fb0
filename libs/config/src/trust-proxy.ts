import { isIP } from 'node:net';

/**
 * Which peers may tell us the client's address in X-Forwarded-For (Fastify's `trustProxy`): none,
 * the last `n` hops, or peers whose address is in a list. Never "everyone": with every hop trusted
 * the leftmost entry wins, and that one the client writes itself, so TELEGRAM_ALLOWED_CIDRS could
 * be passed with a forged header.
 */
export type TrustProxy = false | number | readonly string[];

export const MAX_TRUSTED_HOPS = 32;

/** Names proxy-addr (Fastify) understands for well-known ranges, e.g. `uniquelocal` for 10/8, 172.16/12, 192.168/16, fc00::/7. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY as text → its meaning, or 'invalid' (which includes `true`). */
export function parseTrustProxy(text: string): TrustProxy | 'invalid' {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'false') return false;
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    if (hops === 0) return false;
    return hops <= MAX_TRUSTED_HOPS ? hops : 'invalid';
  }
  const entries = trimmed.split(',').map((entry) => entry.trim());
  return entries.every(isTrustedProxyEntry) ? Object.freeze(entries) : 'invalid';
}

/** An IPv4/IPv6 address, optionally with a prefix length, or a named range. */
function isTrustedProxyEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
