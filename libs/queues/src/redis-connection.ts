import { Redis, type RedisOptions } from 'ioredis';

/**
 * Producers behind HTTP must fail fast when Redis is down (the handler answers 503 and Telegram
 * or Genesys retries later); workers must wait forever instead (BullMQ requires it).
 */
export function createRedisConnection(
  url: string,
  role: 'producer' | 'worker',
  onError: (error: Error) => void,
  name?: string,
): Redis {
  const common: RedisOptions = { connectionName: name, lazyConnect: false };
  const options: RedisOptions =
    role === 'producer'
      ? { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }
      : { ...common, maxRetriesPerRequest: null, enableOfflineQueue: true };
  const redis = new Redis(url, options);
  // ioredis reconnects by itself; the listener reports (health turns red) instead of crashing.
  redis.on('error', onError);
  return redis;
}
