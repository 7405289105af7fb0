import pg from 'pg';
import { BridgeHarness, aTextUpdate, eventually, shuffled } from '@tgg/testing';
import { chatIds, customersWrote, messageLogStatuses } from './support/bridge-ops.js';
import { AgentSide, TelegramSide, type Offer, type PostOutcome } from './support/far-sides.js';
import { startLoadedBridge } from './support/loaded-bridge.js';
import { idsByText, inboundReport, outboundReport, summary, type DeliveryReport } from './support/reports.js';

/**
 * Scenario 5: duplicate and out-of-order webhook storms from both sides. Telegram: every update of
 * many chats posted three times at once, all shuffled, inside the reorder window. Genesys: every
 * agent message posted three times at once (the identical signed bytes), then all of them again,
 * shuffled, after they were sent. Each message must reach the far side exactly once, in order.
 */
const TELEGRAM_CHATS = chatIds(8_500_000_001, 20);
const MESSAGES_PER_CHAT = 4;
const COPIES = 3;
/** Wide enough that the storm fits in it on a busy 2-core machine (it takes 0.8–1.7 s there). */
const WINDOW_MS = 3000;
const AGENT_CHATS = chatIds(8_500_100_001, 10);
const REPLIES_PER_CHAT = 5;

describe('chaos: duplicate and out-of-order webhook storms', () => {
  let bridge: BridgeHarness;
  let db: pg.Client;

  beforeAll(async () => {
    ({ bridge, db } = await startLoadedBridge({ windowMs: WINDOW_MS, env: { OUTBOUND_PER_CHAT_PER_S: '10', OUTBOUND_GLOBAL_PER_S: '200' } }));
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await bridge?.stop();
  });

  it('forwards each of a shuffled triple storm of Telegram updates once, in message order', async () => {
    const telegram = new TelegramSide(bridge);
    // Update ids as Telegram numbers them: in the order the messages were written.
    const updates = TELEGRAM_CHATS.flatMap((chatId, chatIndex) =>
      Array.from({ length: MESSAGES_PER_CHAT }, (_, i) => aTextUpdate({ updateId: 1 + i * TELEGRAM_CHATS.length + chatIndex, chatId: Number(chatId), messageId: i + 1 })),
    );
    const posts = shuffled(updates.flatMap((update) => Array.from({ length: COPIES }, () => JSON.stringify(update))), 0x5eed);
    const startedAtMs = Date.now();
    const outcomes = await Promise.all(posts.map((body) => telegram.post(body)));
    const stormMs = Date.now() - startedAtMs;
    expect(new Set(outcomes)).toEqual(new Set<PostOutcome>([200]));
    // The storm fits in the window, so the bridge owes the message order, not just delivery.
    expect(stormMs).toBeLessThan(WINDOW_MS);

    const acknowledged = new Map<string, Offer[]>(
      TELEGRAM_CHATS.map((chatId) => [chatId, Array.from({ length: MESSAGES_PER_CHAT }, (_, i) => ({ chatId, key: String(i + 1), text: '', firstAttemptAtMs: startedAtMs, ackAtMs: startedAtMs, attempts: COPIES }))]),
    );
    let delivered: DeliveryReport = inboundReport(bridge.genesys, acknowledged);
    await eventually(() => {
      delivered = inboundReport(bridge.genesys, acknowledged);
      expect(delivered.missing).toEqual([]);
    }, 30_000, 200);
    const deliveredAtMs = Date.now();
    // Telegram redelivers late too (it keeps updates 24 h): the whole storm again, reshuffled, changes nothing.
    const lateOutcomes = await Promise.all(shuffled(posts, 0x1a7e).map((body) => telegram.post(body)));
    expect(new Set(lateOutcomes)).toEqual(new Set<PostOutcome>([200]));
    // Then one more message per chat: its turn comes after any straggling copy would have.
    await Promise.all(TELEGRAM_CHATS.map((chatId) =>
      telegram.post(JSON.stringify(aTextUpdate({ updateId: 1_000 + Number(chatId.slice(-3)), chatId: Number(chatId), messageId: MESSAGES_PER_CHAT + 1 })))));
    await bridge.genesys.waitForInbound((record) => record.body.channel.messageId.endsWith(`:${MESSAGES_PER_CHAT + 1}`), TELEGRAM_CHATS.length, 30_000);
    for (const offers of acknowledged.values()) offers.push({ ...(offers[0] as Offer), key: String(MESSAGES_PER_CHAT + 1) });
    delivered = inboundReport(bridge.genesys, acknowledged);
    expect(delivered.missing).toEqual([]);
    expect(delivered.duplicates).toEqual([]);
    expect(delivered.outOfOrder).toEqual([]);
    await eventually(async () => expect(await messageLogStatuses(db, TELEGRAM_CHATS, 'inbound')).toEqual({ delivered: TELEGRAM_CHATS.length * (MESSAGES_PER_CHAT + 1) }), 10_000, 200);

    summary('Telegram duplicate/out-of-order storm', {
      updates: `${updates.length} updates of ${TELEGRAM_CHATS.length} chats × ${COPIES} copies = ${posts.length} posts, shuffled, all answered 200 in ${stormMs} ms (window ${WINDOW_MS} ms); all ${posts.length} again after delivery`,
      'at Genesys': `${delivered.acknowledged} messages once each, in message order per chat; ${delivered.duplicates.length} duplicates`,
      'delivered after the storm began': `${deliveredAtMs - startedAtMs} ms`,
    });
  }, 60_000);

  it('sends each of a storm of repeated Genesys webhooks once, in order, however often and late it is re-posted', async () => {
    await customersWrote(db, AGENT_CHATS);
    const agents = new AgentSide(bridge);
    const startedAtMs = Date.now();
    let posts = 0;
    // Per chat the agent's messages one after another, each posted three times at once; chats in parallel.
    await Promise.all(AGENT_CHATS.map(async (chatId) => {
      for (let i = 0; i < REPLIES_PER_CHAT; i++) {
        const prepared = agents.prepare(chatId);
        const extraCopies = Array.from({ length: COPIES - 1 }, () => agents.post(prepared));
        const [, ...extra] = await Promise.all([agents.deliver(prepared), ...extraCopies]);
        posts += COPIES;
        expect(extra).toEqual(Array.from({ length: COPIES - 1 }, () => 200));
      }
    }));
    const acknowledged = agents.acknowledged();
    const texts = idsByText(acknowledged);
    let sent: DeliveryReport = outboundReport(bridge.telegram, texts, acknowledged);
    await eventually(() => {
      sent = outboundReport(bridge.telegram, texts, acknowledged);
      expect(sent.missing).toEqual([]);
    }, 30_000, 200);
    const sentAtMs = Date.now();

    // Late redeliveries: every message once more, shuffled across chats and out of order within them.
    const late = shuffled([...agents.prepared.values()], 0xbeef);
    const lateOutcomes = await Promise.all(late.map((prepared) => agents.post(prepared)));
    posts += late.length;
    expect(new Set(lateOutcomes)).toEqual(new Set<PostOutcome>([200]));
    // A marker per chat, after the late copies: had any of them been queued, it would be sent before the marker.
    const markers = await Promise.all(AGENT_CHATS.map((chatId) => agents.reply(chatId)));
    const allAcknowledged = agents.acknowledged();
    const allTexts = idsByText(allAcknowledged);
    await bridge.telegram.waitForCalls((call) => markers.some((marker) => marker.text === call.params['text'] && call.status === 200), markers.length, 30_000);
    sent = outboundReport(bridge.telegram, allTexts, allAcknowledged);
    expect(sent.missing).toEqual([]);
    expect(sent.duplicates).toEqual([]);
    expect(sent.outOfOrder).toEqual([]);
    await eventually(async () => expect(await messageLogStatuses(db, AGENT_CHATS, 'outbound')).toEqual({ delivered: sent.acknowledged }), 10_000, 200);

    summary('Genesys duplicate/late webhook storm', {
      'agent messages': `${AGENT_CHATS.length * REPLIES_PER_CHAT} (+${markers.length} markers), ${posts} posts (each ${COPIES}× at once, then all once more shuffled after sending), all answered 200`,
      'at Telegram': `${sent.acknowledged} sent once each, in order per chat; ${sent.duplicates.length} duplicates`,
      'all sent after the first post': `${sentAtMs - startedAtMs} ms`,
    });
  }, 60_000);
});
