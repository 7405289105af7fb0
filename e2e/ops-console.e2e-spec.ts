import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { BridgeHarness, aTextUpdate, eventually, redisUrl, launchChromium } from '@tgg/testing';

const TOKEN = randomBytes(32).toString('hex');
const CHAT_ID = 8_600_000_001;
const MESSAGES = [1, 2, 3];

/**
 * The ops console on a real dispatcher process, driven in headless Chromium: a chat's messages are
 * dead-lettered at their delivery horizon while Genesys is down, the console lists them, and its
 * confirmed replay delivers each exactly once, in the chat's order. The replay is logged with who did it.
 */
describe('ops console (dispatcher /ops, headless Chromium)', () => {
  let bridge: BridgeHarness;
  let browser: Browser;
  let redis: Redis;
  let inbound: Queue;

  beforeAll(async () => {
    bridge = await BridgeHarness.start({
      services: ['ingress', 'sequencer', 'dispatcher'],
      windowMs: 100,
      env: { OPS_CONSOLE_TOKEN: TOKEN, DELIVERY_HORIZON_S: '3', RETRY_MAX_DELAY_S: '1', LOG_LEVEL: 'info' },
    });
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    inbound = new Queue('genesys-inbound', { connection: redis, prefix: bridge.queuePrefix });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await inbound?.close();
    await redis?.quit();
    await bridge?.stop();
  });

  it('signs in, lists the dead letters of a chat, and a confirmed replay delivers each once, in order', async () => {
    bridge.genesys.failNext('message', 1_000_000, { status: 503 });
    for (const messageId of MESSAGES) {
      expect((await bridge.postUpdate(aTextUpdate({ updateId: 860_000 + messageId, chatId: CHAT_ID, messageId, text: `ops message ${messageId}` }))).status).toBe(200);
    }
    await eventually(async () => expect(await inbound.getFailedCount()).toBe(MESSAGES.length), 40_000, 250);
    bridge.genesys.clearFaults();
    expect(bridge.genesys.inbound).toEqual([]);

    const page = await browser.newPage();
    const consoleUrl = `${bridge.url('dispatcher')}/ops`;
    const signIn = await page.goto(consoleUrl);
    expect(signIn?.status()).toBe(401);
    await page.fill('input[name="token"]', TOKEN);
    await page.click('button[type="submit"]');
    await page.locator('h2', { hasText: 'Dead letters (3)' }).waitFor({ timeout: 20_000 });
    expect(page.url()).toBe(consoleUrl);
    const rows = page.locator('tr.dead-letter', { hasText: `default:${CHAT_ID}` });
    expect(await rows.count()).toBe(MESSAGES.length);
    expect(await rows.first().textContent()).toContain('delivery_horizon');
    expect(await page.content()).not.toContain(TOKEN);

    await page.click('button:text-is("Replay all")');
    await page.locator('h1', { hasText: 'Replay every dead letter of every queue?' }).waitFor();
    expect(await inbound.getFailedCount()).toBe(MESSAGES.length); // nothing happens before the confirmation
    await page.click('button:text-is("Confirm replay")');
    await page.locator('h1', { hasText: '3 dead letter(s) moved back to waiting' }).waitFor();

    const expected = MESSAGES.map((messageId) => `${CHAT_ID}:${messageId}`);
    await eventually(() => expect(bridge.genesys.inbound.map((record) => record.body.channel.messageId)).toEqual(expected), 20_000, 200);
    // Held a little longer: a duplicate delivery would show up here.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(bridge.genesys.inbound.map((record) => record.body.channel.messageId)).toEqual(expected);
    expect(await inbound.getFailedCount()).toBe(0);

    await page.goto(consoleUrl);
    await page.locator('h2', { hasText: 'Dead letters (0)' }).waitFor();
    const logs = bridge.logsOf('dispatcher');
    expect(logs).toMatch(/"actor":"token".*"action":"dead-letters.replay".*ops console: dead letters replayed/);
    expect(logs).not.toContain(TOKEN);
    await page.close();
  }, 90_000);

  it('shows the queues in Bull Board behind the same sign-in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    expect((await page.goto(`${bridge.url('dispatcher')}/ops/queues`))?.status()).toBe(401);
    await page.fill('input[name="token"]', TOKEN);
    await page.click('button[type="submit"]');
    await page.goto(`${bridge.url('dispatcher')}/ops/queues`);
    await page.getByText('genesys-inbound').first().waitFor({ timeout: 20_000 });
    await context.close();
  }, 60_000);
});
