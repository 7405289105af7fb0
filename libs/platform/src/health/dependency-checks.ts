import type { Redis } from 'ioredis';
import type { PrismaClient } from '@tgg/data';
import type { ReadinessCheck } from './readiness-check.js';

export function postgresCheck(prisma: PrismaClient): ReadinessCheck {
  return {
    name: 'postgres',
    async check() {
      await prisma.$queryRaw`SELECT 1`;
      return undefined;
    },
  };
}

export function redisCheck(redis: Redis): ReadinessCheck {
  return {
    name: 'redis',
    async check() {
      await redis.ping();
      return undefined;
    },
  };
}
