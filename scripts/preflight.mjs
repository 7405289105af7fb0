// Fails fast, in one line, when Postgres or Redis is unreachable: a stack trace from deep
// inside a test run would hide the only thing a newcomer needs to know (start the service).
import net from 'node:net';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/tg_genesys';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The URL without user info (user and password), safe to print. */
export function maskUrl(raw) {
  if (!URL.canParse(raw)) return '<unparsable URL>';
  const { protocol, host, pathname } = new URL(raw);
  return `${protocol}//${host}${pathname === '/' ? '' : pathname}`;
}

function canConnect(raw, defaultPort) {
  const url = new URL(raw);
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || defaultPort) });
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function preflight(env = process.env) {
  const databaseUrl = env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const redisUrl = env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const problems = [];
  if (!(await canConnect(databaseUrl, 5432))) {
    problems.push(`Postgres is unreachable at ${maskUrl(databaseUrl)}: start it (e.g. \`pg_ctlcluster 15 main start\` or \`docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:15\`) or set DATABASE_URL`);
  }
  if (!(await canConnect(redisUrl, 6379))) {
    problems.push(`Redis is unreachable at ${maskUrl(redisUrl)}: start it (e.g. \`redis-server --daemonize yes\` or \`docker run -d -p 6379:6379 redis:7\`) or set REDIS_URL`);
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = await preflight();
  for (const problem of problems) console.error(problem);
  process.exit(problems.length ? 1 : 0);
}
