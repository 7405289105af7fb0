/**
 * The compose `emulators` service (image target `sandbox`): `docker compose up` with no credentials
 * gives the sandbox of `npm start` with the services in their own containers. With none of the six
 * credentials set it starts the Telegram and Genesys emulators and writes their credentials, the
 * console's control URL and a shared ENCRYPTION_KEY to /sandbox/sandbox.env, which the services read
 * with `node --env-file-if-exists` (variables compose sets win over the file). With credentials set it
 * deletes that file and stays idle, so a live stack never talks to an emulator.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { CREDENTIAL_VARIABLES } from '@tgg/config';
import { SandboxEnvironment } from '@tgg/emulators';

const DIRECTORY = process.env['SANDBOX_DIR'] ?? '/sandbox';
const ENV_FILE = path.join(DIRECTORY, 'sandbox.env');
/** The emulators listen on loopback (ephemeral ports); these ports forward to them from the compose network. */
const BASE = Number(process.env['SANDBOX_PORT_BASE'] ?? 4000);
const PORTS = { health: BASE, telegram: BASE + 10, genesys: BASE + 11, control: BASE + 12 } as const;
const HOST = process.env['SANDBOX_HOSTNAME'] ?? 'emulators';

/** Forwards a port on every interface to one on loopback (the emulators bind 127.0.0.1 only). */
function forward(publicPort: number, loopbackPort: number): Promise<void> {
  const server = net.createServer((client) => {
    const upstream = net.connect(loopbackPort, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  return new Promise((resolve, reject) => server.once('error', reject).listen(publicPort, '0.0.0.0', () => resolve()));
}

/** One key per volume, so channels written in an earlier sandbox run stay readable; never used for live mode. */
function sandboxEncryptionKey(): string {
  const file = path.join(DIRECTORY, 'encryption-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

/** Answers 200 once the sandbox decision is made: compose starts the services only then. */
function healthServer(): Promise<void> {
  const server = http.createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  return new Promise((resolve) => server.listen(PORTS.health, '0.0.0.0', () => resolve()));
}

async function main(): Promise<void> {
  mkdirSync(DIRECTORY, { recursive: true });
  rmSync(ENV_FILE, { force: true });
  const live = CREDENTIAL_VARIABLES.filter((name) => process.env[name]);
  if (live.length > 0) {
    console.log(`credentials set (${live.join(', ')}): live mode, the sandbox emulators stay off`);
    await healthServer();
    return; // the health server keeps the process (and the container) up
  }
  const environment = await SandboxEnvironment.start(
    { telegram: 0, genesys: 0, control: 0 },
    { ingressUrl: process.env['SANDBOX_INGRESS_URL'] ?? 'http://ingress:3000', outboundUrl: process.env['SANDBOX_OUTBOUND_URL'] ?? 'http://outbound:3001' },
  );
  const portOf = (url: string) => Number(new URL(url).port);
  await Promise.all([
    forward(PORTS.telegram, portOf(environment.telegram.baseUrl)),
    forward(PORTS.genesys, portOf(environment.genesys.baseUrl)),
    forward(PORTS.control, portOf(environment.controlUrl)),
  ]);
  const values: Record<string, string> = {
    ...environment.credentials,
    TELEGRAM_API_BASE_URL: `http://${HOST}:${PORTS.telegram}`,
    GENESYS_LOGIN_BASE_URL: `http://${HOST}:${PORTS.genesys}`,
    GENESYS_API_BASE_URL: `http://${HOST}:${PORTS.genesys}`,
    TGG_SANDBOX: 'true',
    TGG_SANDBOX_CONTROL_URL: `http://${HOST}:${PORTS.control}`,
    ENCRYPTION_KEY: process.env['ENCRYPTION_KEY'] || sandboxEncryptionKey(),
  };
  writeFileSync(ENV_FILE, Object.entries(values).map(([name, value]) => `${name}=${value}\n`).join(''), { mode: 0o600 });
  await healthServer();
  console.log('sandbox mode (no credentials set): open http://localhost:3000/sandbox');
}

await main().catch((error: unknown) => {
  console.error(`sandbox emulators failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
