import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, eventually, redisUrl, testQueuePrefix, type TestDatabase } from '@tgg/testing';

/**
 * docker-compose.yml's sandbox without Docker: the `emulators` service's script writes the sandbox
 * env file, and the four services — separate processes, as separate containers, with no credential
 * in their environment — read it the way their compose command does (`node --env-file-if-exists`).
 * A message typed in the console crosses to the agent and the answer comes back, which needs one
 * ENCRYPTION_KEY across the processes (each would otherwise generate its own).
 */
const SERVICES = ['ingress', 'outbound', 'sequencer', 'dispatcher'] as const;
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
// Node >= 22.9 has the flag compose uses; older Node (this machine's 20) reads the file, which exists here, with --env-file.
const ENV_FILE_FLAG = major > 22 || (major === 22 && minor >= 9) ? '--env-file-if-exists' : '--env-file';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo; // listening on TCP: an AddressInfo
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Started {
  child: ChildProcess;
  output: string[];
}

function start(args: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, args, { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, output };
}

async function stop(started: Started | undefined): Promise<void> {
  if (!started || started.child.exitCode !== null) return;
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
}

async function ok(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

describe('compose sandbox: the emulators service and four separate services sharing its env file', () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'tgg-sandbox-'));
  const portBase = 20_000 + Math.floor(Math.random() * 20_000);
  let db: TestDatabase;
  let ports: Record<(typeof SERVICES)[number], number>;
  let emulators: Started | undefined;
  const services: Started[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    ports = { ingress: await freePort(), outbound: await freePort(), sequencer: await freePort(), dispatcher: await freePort() };
    emulators = start(['dist/scripts/sandbox-emulators.js'], {
      SANDBOX_DIR: directory,
      SANDBOX_HOSTNAME: '127.0.0.1',
      SANDBOX_PORT_BASE: String(portBase),
      SANDBOX_INGRESS_URL: `http://127.0.0.1:${ports.ingress}`,
      SANDBOX_OUTBOUND_URL: `http://127.0.0.1:${ports.outbound}`,
    });
    await eventually(async () => expect(await ok(`http://127.0.0.1:${portBase}/`)).toBe(true), 20_000, 100);
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: testQueuePrefix(),
      INGRESS_PORT: String(ports.ingress),
      OUTBOUND_PORT: String(ports.outbound),
      SEQUENCER_PORT: String(ports.sequencer),
      DISPATCHER_PORT: String(ports.dispatcher),
      SEQUENCER_WINDOW_MS: '50',
      LOG_LEVEL: 'warn',
    };
    for (const service of SERVICES) {
      services.push(start([`${ENV_FILE_FLAG}=${path.join(directory, 'sandbox.env')}`, `dist/apps/${service}/src/main.js`], { ...env, OTEL_SERVICE_NAME: `tgg-${service}` }));
    }
    await eventually(async () => {
      for (const service of SERVICES) expect({ service, ready: await ok(`http://127.0.0.1:${ports[service]}/health/ready`) }).toEqual({ service, ready: true });
    }, 40_000, 200);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(services.map(stop));
    await stop(emulators);
    await db?.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('carries a console message to the agent and the answer back to the customer', async () => {
    const console = `http://127.0.0.1:${ports.ingress}/sandbox`;
    expect((await fetch(console)).status).toBe(200);
    const text = `hello ${randomBytes(4).toString('hex')}`;
    const typed = await fetch(`${console}/api/customer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, chatId: '7000000042' }) });
    expect(typed.status).toBe(200);

    type State = { agentConversations: { customerId: string; messages: { text?: string }[] }[]; customerChats: { chatId: string; messages: { sender: string; text?: string }[] }[] };
    const state = async () => (await (await fetch(`${console}/api/state`)).json()) as State;
    const conversation = await eventually(async () => {
      const found = (await state()).agentConversations.find((candidate) => candidate.messages.some((message) => message.text === text));
      expect(found).toBeDefined();
      return found;
    }, 20_000, 100);

    const answer = `answer ${randomBytes(4).toString('hex')}`;
    const answered = await fetch(`${console}/api/agent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: conversation?.customerId, text: answer }) });
    expect(answered.status).toBe(200);
    await eventually(async () => {
      const chat = (await state()).customerChats.find((candidate) => candidate.chatId === '7000000042');
      expect(chat?.messages.filter((message) => message.sender === 'bot').map((message) => message.text)).toContain(answer);
    }, 20_000, 100);
  }, 60_000);

  it('writes no sandbox file when credentials are set (a live stack never talks to an emulator)', async () => {
    expect(existsSync(path.join(directory, 'sandbox.env'))).toBe(true);
    const live = start(['dist/scripts/sandbox-emulators.js'], { SANDBOX_DIR: directory, SANDBOX_PORT_BASE: String(portBase + 100), TELEGRAM_BOT_TOKEN: '123456:live-token-from-env' });
    try {
      await eventually(async () => expect(await ok(`http://127.0.0.1:${portBase + 100}/`)).toBe(true), 20_000, 100);
      expect(existsSync(path.join(directory, 'sandbox.env'))).toBe(false);
      expect(live.output.join('')).toContain('live mode, the sandbox emulators stay off');
      expect(live.output.join('')).not.toContain('live-token-from-env');
    } finally {
      await stop(live);
    }
  }, 30_000);
});
