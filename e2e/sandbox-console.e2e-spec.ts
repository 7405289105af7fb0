import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { createTestDatabase, isAddressInUse, redisUrl, reservePort, testQueuePrefix, type TestDatabase, launchChromium } from '@tgg/testing';


/** Launches with fresh ports this often when one of the seven turned out taken between its probe and its listen. */
const LAUNCH_ATTEMPTS = 3;

interface Launched {
  launcher: ChildProcess;
  ingressPort: number;
}

/** `npm start` (dist/scripts/start.js) in its own process group; resolves once every service is ready. */
async function launch(db: TestDatabase): Promise<Launched> {
  for (let attempt = 1; ; attempt++) {
    const ingressPort = await reservePort();
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: testQueuePrefix(),
      INGRESS_PORT: String(ingressPort),
      OUTBOUND_PORT: String(await reservePort()),
      SEQUENCER_PORT: String(await reservePort()),
      DISPATCHER_PORT: String(await reservePort()),
      SANDBOX_TELEGRAM_PORT: String(await reservePort()),
      SANDBOX_GENESYS_PORT: String(await reservePort()),
      SANDBOX_CONTROL_PORT: String(await reservePort()),
      PUBLIC_BASE_URL: `http://127.0.0.1:${ingressPort}`,
      SEQUENCER_WINDOW_MS: '100',
      LOG_LEVEL: 'warn',
    };
    let output = '';
    const launcher = spawn(process.execPath, [path.resolve('dist/scripts/start.js')], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    launcher.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => launcher.once('exit', () => resolve()));
    // Every service must be ready before the test types on either side.
    const urls = [`http://127.0.0.1:${ingressPort}/sandbox`, ...[env['OUTBOUND_PORT'], env['DISPATCHER_PORT'], env['SEQUENCER_PORT']].map((port) => `http://127.0.0.1:${port}/health/ready`)];
    const deadline = Date.now() + 45_000;
    while (launcher.exitCode === null && Date.now() < deadline) {
      const statuses = await Promise.all(urls.map((url) => fetch(url).then((response) => response.status, () => 0)));
      if (statuses.every((status) => status === 200)) return { launcher, ingressPort };
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (launcher.exitCode === null && launcher.pid) process.kill(-launcher.pid, 'SIGTERM');
    await exited;
    if (!isAddressInUse(output) || attempt >= LAUNCH_ATTEMPTS) throw new Error(`npm start did not get ready:\n${output}`);
  }
}

/**
 * `npm start` with no credentials, driven in real headless Chromium: a message typed as the
 * customer reaches the agent's view, and the agent's answer reaches the customer's chat, both
 * through the real services (webhook → queues → Genesys emulator; signed webhook → Telegram emulator);
 * an agent's quick-reply question becomes buttons the customer taps, and the tap reaches the agent.
 */
describe('sandbox console (npm start without credentials)', () => {
  let db: TestDatabase;
  let launcher: ChildProcess;
  let browser: Browser;
  let ingressPort: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ launcher, ingressPort } = await launch(db));
    browser = await launchChromium();
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

  it("shows the agent's quick-reply question as buttons the customer taps, and the tap reaches the agent as the answer", async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${ingressPort}/sandbox`);
    await page.fill('#agent-input', 'Did that solve your problem?');
    await page.fill('#agent-options', 'Yes, thanks, No');
    await page.click('#agent-form button');
    const question = page.locator('#customer-log .theirs', { hasText: 'Did that solve your problem?' });
    await question.locator('.keyboard button', { hasText: 'No' }).waitFor({ timeout: 20_000 });
    await page.locator('#agent-log .mine', { hasText: '[ Yes | thanks | No ]' }).waitFor({ timeout: 20_000 });

    await question.locator('.keyboard button', { hasText: 'No' }).click();
    await page.locator('#agent-log .theirs', { hasText: /^No$/ }).waitFor({ timeout: 20_000 });
    // The keyboard now shows the choice, and only it.
    await question.locator('.keyboard button', { hasText: '✓ No' }).waitFor({ timeout: 20_000 });
    expect(await question.locator('.keyboard button').allTextContents()).toEqual(['✓ No']);
    await page.close();
  }, 60_000);
});
