/**
 * The physical-limit baselines of the benchmark: a bare Fastify server answering 200
 * (`plain`), and the same doing one Redis write per request (`redis`), as a separate process
 * like the real ingress.
 */
import Fastify from 'fastify';
import { Redis } from 'ioredis';

const mode = process.argv[2] === 'redis' ? 'redis' : 'plain';
const port = Number(process.argv[3] ?? 0);
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const keyPrefix = process.env['BENCH_KEY_PREFIX'] ?? 'tgg-bench';

const redis = mode === 'redis' ? new Redis(redisUrl, { enableOfflineQueue: false }) : undefined;
const app = Fastify({ bodyLimit: 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
let counter = 0;
app.post('/telegram/webhook/:channel', async (request) => {
  if (redis) await redis.set(`${keyPrefix}:bare:${counter++ % 100_000}`, request.body as Buffer, 'EX', 60); // body is the raw Buffer from the parser above
  return { ok: true };
});
// Listen only once Redis is connected: with the offline queue off, early requests would fail.
if (redis) await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`listening ${(app.server.address() as { port: number }).port}\n`); // address() is an AddressInfo once listening
process.once('SIGTERM', () => {
  void app.close().then(() => redis?.quit()).then(() => process.exit(0));
});
