import type { Redis } from 'ioredis';
import type { ChannelDirectory, PrismaClient } from '@tgg/data';
import type { GenesysTokenCache } from '@tgg/genesys';
import { singleDependency, type DependencySource } from './dependency-source.js';
import type { ReadinessCheck } from './readiness-check.js';

/** How long the readiness probe's marker key lives: it only proves the write went through. */
const READINESS_MARKER_TTL_MS = 60_000;

/**
 * Readiness: Redis takes writes. A PING is not enough: a Redis at maxmemory with `noeviction`, or
 * a read-only replica after a failover, answers PING but refuses the job that a webhook's 200
 * promises was stored. The fail-fast producer connection makes this fail at once while Redis is away.
 */
export function redisWritableCheck(redis: Redis, queuePrefix: string, service: string): ReadinessCheck {
  return {
    name: 'redis',
    async check() {
      await redis.set(`${queuePrefix}:health:${service}`, String(Date.now()), 'PX', READINESS_MARKER_TTL_MS);
      return undefined;
    },
  };
}

/**
 * Readiness of the webhook receivers: the channel list was read from Postgres once. After that a
 * Postgres outage keeps the cached list (and readiness): webhooks still answer 200 from Redis.
 */
export function channelsLoadedCheck(directory: ChannelDirectory): ReadinessCheck {
  return {
    name: 'channels',
    async check() {
      if (!directory.loadedOnce) throw new Error('the channel list has not been read from Postgres yet');
      return `${directory.size} channel(s)`;
    },
  };
}

/** Reported, never gating: `SELECT 1` every few seconds is cheap. */
export function postgresDependency(prisma: PrismaClient): DependencySource {
  return singleDependency('postgres', async () => {
    await prisma.$queryRaw`SELECT 1`;
    return undefined;
  });
}

export function redisDependency(redis: Redis): DependencySource {
  return singleDependency('redis', async () => {
    await redis.ping();
    return undefined;
  });
}

/** From the token cache's last fetch (its one poller, in @tgg/genesys' client providers, and real traffic refresh it): never calls Genesys itself. */
export function genesysTokenDependency(tokens: GenesysTokenCache | undefined): DependencySource {
  return {
    name: 'genesys-token',
    async statuses() {
      if (!tokens) return [{ dependency: 'genesys-token', state: 'down', detail: 'no Genesys OAuth client configured (GENESYS_CLIENT_ID/GENESYS_CLIENT_SECRET)' }];
      const health = tokens.lastHealth();
      if (!health) return [{ dependency: 'genesys-token', state: 'unknown', detail: 'not fetched yet' }];
      return [health.ok ? { dependency: 'genesys-token', state: 'up' } : { dependency: 'genesys-token', state: 'down', detail: health.message ?? 'token fetch failed' }];
    },
  };
}
