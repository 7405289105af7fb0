import type { Attributes } from '@opentelemetry/api';
import { redactBotToken } from './redact-url.js';

/**
 * What the instrumentations may put into exported spans. Spans leave the process (collector,
 * Tempo) and are kept longer and read by more people than logs, so the same rules apply: no bot
 * token (it sits in Bot API URL paths), no customer text (it sits in Redis job payloads).
 */

/**
 * undici (fetch) `startSpanHook`: its attributes replace the instrumentation's own before the
 * span is created, so a URL with the token never enters a span object (no processor sees it).
 */
export function fetchSpanAttributes(request: { origin: string; path: string }): Attributes {
  if (redactBotToken(request.path) === request.path) return {};
  const [pathname = ''] = request.path.split('?');
  return { 'url.full': redactBotToken(`${request.origin}${request.path}`), 'url.path': redactBotToken(pathname) };
}

/** http.request `startOutgoingSpanHook`: the same rule for anything that uses node:http directly. */
export function outgoingHttpSpanAttributes(request: { protocol?: string | null; hostname?: string | null; host?: string | null; port?: number | string | null; path?: string | null }): Attributes {
  const path = request.path ?? '/';
  if (redactBotToken(path) === path) return {};
  const port = request.port ? `:${request.port}` : '';
  return { 'url.full': redactBotToken(`${request.protocol ?? 'http:'}//${request.hostname ?? request.host ?? 'localhost'}${port}${path}`) };
}

/** Probes and scrapes: a span per kubelet probe or Prometheus scrape would bury the message traces. */
export function isHousekeepingPath(path: string | undefined): boolean {
  const pathname = path?.split('?')[0] ?? '';
  return pathname === '/metrics' || pathname === '/health' || pathname.startsWith('/health/');
}

const SCRIPT_COMMANDS = /^(EVAL|EVALSHA|EVAL_RO|EVALSHA_RO|FCALL|FCALL_RO)$/i;
/** Commands whose first argument is a key; anything else (AUTH, HELLO, CONFIG, …) shows its name only. */
const KEY_FIRST_COMMANDS = /^(GET|SET|SETEX|PSETEX|GETDEL|DEL|UNLINK|EXISTS|EXPIRE|PEXPIRE|TTL|PTTL|TYPE|INCR|INCRBY|DECR|H(GET|SET|SETNX|DEL|GETALL|MGET|MSET|INCRBY|EXISTS|KEYS|VALS|LEN|SCAN)|Z[A-Z]+|L[A-Z]+|R[A-Z]*PUSH|RPOP|SADD|SREM|SMEMBERS|SISMEMBER|SCARD|X[A-Z]+|BZPOPMIN|BZPOPMAX)$/i;

/**
 * ioredis `dbStatementSerializer`. The default one prints every argument of EVAL/EVALSHA, and
 * BullMQ adds jobs with EVALSHA: the statement would hold the whole job, customer text included.
 * Here: the command and its keys (identifiers such as queue and chat), never values.
 */
export function redisStatement(command: string, args: readonly unknown[]): string {
  if (SCRIPT_COMMANDS.test(command)) {
    const keyCount = Number(args[1]);
    const keys = Number.isInteger(keyCount) && keyCount > 0 ? args.slice(2, 2 + keyCount) : [];
    return [command, ...keys.map(String)].join(' ');
  }
  const key = args[0];
  return KEY_FIRST_COMMANDS.test(command) && (typeof key === 'string' || typeof key === 'number') ? `${command} ${key}` : command;
}
