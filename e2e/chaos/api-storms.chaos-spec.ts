import pg from 'pg';
import { BridgeHarness, eventually } from '@tgg/testing';
import { chatIds, customersWrote, operatorCli } from './support/bridge-ops.js';
import { AgentSide, SteadyLoad, TelegramSide, sleep } from './support/far-sides.js';
import { startLoadedBridge } from './support/loaded-bridge.js';
import {
  describeGaps,
  genesysRetryGaps,
  idsByText,
  inboundReport,
  outboundReport,
  recoveryMs,
  summary,
  telegramRetryGaps,
  type DeliveryReport,
} from './support/reports.js';

/**
 * Scenario 4a: the far side's API answers errors for a while. A Genesys storm (503 without
 * Retry-After, then 429 with Retry-After 2) and a Telegram 429 storm (retry_after 1), each ~10 s
 * under steady load with the default retry settings: the backlog drains afterwards, in order, once
 * each, and no retry comes before the Retry-After. (4b, outages, the delivery horizon and `dlq replay`:
 * delivery-horizon.chaos-spec.ts.)
 */
const STORM_CHATS = chatIds(8_400_000_001, 10);
const TELEGRAM_STORM_CHATS = chatIds(8_400_100_001, 10);
const INTERVAL_MS = 500;
/** Our own clock reads on both sides of an answer: a retry can look this much early at most. */
const CLOCK_SLACK_MS = 20;

describe('chaos: Genesys and Telegram error storms', () => {
  let bridge: BridgeHarness;
  let db: pg.Client;

  beforeAll(async () => {
    ({ bridge, db } = await startLoadedBridge());
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await bridge?.stop();
  });

  it('drains a Genesys 503/429 storm afterwards, honouring Retry-After, once each and in order', async () => {
    const customers = new TelegramSide(bridge, { firstUpdateId: 1 });
    const load = new SteadyLoad(STORM_CHATS, INTERVAL_MS, (chatId) => customers.say(chatId));
    await sleep(1000);
    const stormStartedAtMs = Date.now();
    bridge.genesys.failNext('message', 1_000_000, { status: 503 });
    await sleep(4000);
    bridge.genesys.clearFaults();
    bridge.genesys.failNext('message', 1_000_000, { status: 429, retryAfterS: 2 });
    await sleep(6000);
    bridge.genesys.clearFaults();
    const stormEndedAtMs = Date.now();
    await sleep(1000);
    await load.stop();

    const acknowledged = customers.acknowledged();
    let delivered: DeliveryReport = inboundReport(bridge.genesys, acknowledged);
    await eventually(() => {
      delivered = inboundReport(bridge.genesys, acknowledged);
      expect(delivered.missing).toEqual([]);
    }, 90_000, 250);
    expect(delivered.duplicates).toEqual([]);
    expect(delivered.outOfOrder).toEqual([]);

    const refusals = bridge.genesys.requests.filter((request) => request.route === 'message' && request.status >= 400);
    const after429 = genesysRetryGaps(bridge.genesys.requests, 429);
    const after503 = genesysRetryGaps(bridge.genesys.requests, 503);
    expect(after429.length).toBeGreaterThan(0);
    expect(Math.min(...after429)).toBeGreaterThanOrEqual(2000 - CLOCK_SLACK_MS);
    expect(after503.length).toBeGreaterThan(0);
    const deadLetters = await operatorCli(bridge, ['dlq', 'list']);
    expect(deadLetters.stdout).toContain('no failed jobs');

    summary('Genesys 503/429 storm', {
      'customer messages': `${delivered.acknowledged} acknowledged, all delivered once, in order, none dead-lettered`,
      storm: `${stormEndedAtMs - stormStartedAtMs} ms, ${refusals.length} requests refused (${refusals.filter((r) => r.status === 503).length}× 503, ${refusals.filter((r) => r.status === 429).length}× 429)`,
      'retry after a 429 (Retry-After 2 s)': describeGaps(after429),
      'retry after a 503 (no Retry-After: backoff)': describeGaps(after503),
      'backlog worked off after the storm': `${recoveryMs(acknowledged, delivered, stormEndedAtMs)} ms`,
    });
  }, 150_000);

  it('drains a Telegram 429 storm afterwards, waiting retry_after, once each and in order', async () => {
    await customersWrote(db, TELEGRAM_STORM_CHATS);
    const agents = new AgentSide(bridge);
    const load = new SteadyLoad(TELEGRAM_STORM_CHATS, INTERVAL_MS, (chatId) => agents.reply(chatId));
    await sleep(1000);
    const stormStartedAtMs = Date.now();
    bridge.telegram.failNext('sendMessage', 1_000_000, { status: 429, description: 'Too Many Requests: retry after 1', retryAfterS: 1 });
    await sleep(8000);
    bridge.telegram.clearFaults();
    const stormEndedAtMs = Date.now();
    await sleep(1000);
    await load.stop();

    const acknowledged = agents.acknowledged();
    const texts = idsByText(acknowledged);
    let sent: DeliveryReport = outboundReport(bridge.telegram, texts, acknowledged);
    await eventually(() => {
      sent = outboundReport(bridge.telegram, texts, acknowledged);
      expect(sent.missing).toEqual([]);
    }, 90_000, 250);
    expect(sent.duplicates).toEqual([]);
    expect(sent.outOfOrder).toEqual([]);
    const gaps = telegramRetryGaps(bridge.telegram.calls, 429);
    expect(gaps.length).toBeGreaterThan(0);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000 - CLOCK_SLACK_MS);
    // Every reply is reported Delivered to Genesys (receipts are at least once: count ids).
    const agentIds = new Set(texts.values());
    await eventually(() => {
      const receipted = new Set(bridge.genesys.receipts.filter((receipt) => agentIds.has(receipt.body.id) && receipt.body.status === 'Delivered').map((receipt) => receipt.body.id));
      expect(receipted.size).toBe(agentIds.size);
    }, 30_000, 250);
    expect((await operatorCli(bridge, ['dlq', 'list'])).stdout).toContain('no failed jobs');

    const refused = bridge.telegram.calls.filter((call) => call.method === 'sendMessage' && call.status === 429).length;
    summary('Telegram 429 storm', {
      'agent replies': `${sent.acknowledged} acknowledged, all sent once, in order, all receipted Delivered`,
      storm: `${stormEndedAtMs - stormStartedAtMs} ms, ${refused} sendMessage calls answered 429`,
      'retry after a 429 (retry_after 1 s)': describeGaps(gaps),
      'backlog worked off after the storm': `${recoveryMs(acknowledged, sent, stormEndedAtMs)} ms`,
    });
  }, 150_000);
});
