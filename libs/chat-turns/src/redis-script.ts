import type { Redis } from 'ioredis';

/** Runs a Lua script defined on a connection: KEYS count, then KEYS and ARGV. */
export type RedisScript = (numberOfKeys: number, ...args: (string | number)[]) => Promise<unknown>;

/**
 * Registers `lua` under `name` on `redis` once (ioredis sends EVALSHA and falls back to EVAL) and
 * returns it as a function. ioredis adds a defined command as a method of the connection, which
 * its types cannot know: this is the one place that reads it back.
 */
export function defineRedisScript(redis: Redis, name: string, lua: string): RedisScript {
  const commands = redis as unknown as Record<string, RedisScript | undefined>; // see above: defineCommand adds `name` as a method
  if (!commands[name]) redis.defineCommand(name, { lua });
  const command = commands[name];
  if (!command) throw new Error(`could not define Redis script ${name}`);
  return command.bind(redis);
}
