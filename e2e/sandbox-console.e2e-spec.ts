import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createTestDatabase, eventually, redisUrl, testQueuePrefix, type TestDatabase } from '@tgg/testing';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * `npm start` with no credentials, driven in real headless Chromium: a message typed as the
 * customer reaches the agent's view, and the agent's answer reaches the customer's chat, both
 * through the real services (webhook → queues → Genesys emulator; signed webhook → Telegram emulator).
 */
describe('sandbox console (npm start without credentials)', () => {
  let db: TestDatabase;
  let launcher: ChildProcess;
  let browser: Browser;
  let output = '';
  let ingressPort: number;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does it) or set CHROMIUM_PATH`);
    db = await createTestDatabase();
    ingressPort = await freePort();
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: testQueuePrefix(),
      INGRESS_PORT: String(ingressPort),
      OUTBOUND_PORT: String(await freePort()),
      SEQUENCER_PORT: String(await freePort()),
      DISPATCHER_PORT: String(await freePort()),
      SANDBOX_TELEGRAM_PORT: String(await freePort()),
      SANDBOX_GENESYS_PORT: String(await freePort()),
      SANDBOX_CONTROL_PORT: String(await freePort()),
      PUBLIC_BASE_URL: `http://127.0.0.1:${ingressPort}`,
      SEQUENCER_WINDOW_MS: '100',
      LOG_LEVEL: 'warn',
    };
    launcher = spawn(process.execPath, [path.resolve('dist/scripts/start.js')], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    launcher.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(async () => {
      if (launcher.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
      expect((await fetch(`http://127.0.0.1:${ingressPort}/sandbox`)).status).toBe(200);
      // Every service must be ready before the test types on either side.
      for (const port of [env['OUTBOUND_PORT'], env['DISPATCHER_PORT'], env['SEQUENCER_PORT']]) expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    }, 45_000, 250);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (launcher?.pid && launcher.exitCode === null) {
      process.kill(-launcher.pid, 'SIGTERM');
      await new Promise((resolve) => launcher.once('exit', resolve));
    }
    await db?.drop();
  });

  it('carries a customer message to the agent and the agent reply back to the customer', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${ingressPort}/sandbox`);
    await page.fill('#customer-input', 'Hello, my parcel #5512 has not arrived');
    await page.click('#customer-form button');
    await page.locator('#agent-log .theirs', { hasText: 'parcel #5512' }).waitFor({ timeout: 20_000 });

    await page.fill('#agent-input', 'Sorry about that, I am checking it now.');
    await page.click('#agent-form button');
    await page.locator('#customer-log .theirs', { hasText: 'checking it now' }).waitFor({ timeout: 20_000 });
    // The agent's message shows the Delivered receipt the bridge posted back to Genesys.
    await page.locator('#agent-log .mine', { hasText: 'Delivered' }).waitFor({ timeout: 20_000 });
    await page.close();
  }, 60_000);
});
