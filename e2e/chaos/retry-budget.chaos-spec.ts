import pg from 'pg';
import { BridgeHarness, eventually } from '@tgg/testing';
import { chatIds, connectDb, customersWrote, messageLogStatuses, operatorCli } from './support/bridge-ops.js';
import { AgentSide, TelegramSide } from './support/far-sides.js';
import { inboundReport, summary, type DeliveryReport } from './support/reports.js';

/**
 * Scenario 4b: with a retry budget of 2 (GENESYS_MAX_ATTEMPTS, TELEGRAM_MAX_ATTEMPTS), a message
 * is dead-lettered only after its second attempt, its chat moves on, and `dlq replay` (the operator
 * CLI, against the same Redis and queue prefix) brings it home exactly once — and several dead
 * letters of one chat in their order (the CLI replays newest first; the consumers hold replayed
 * items in their chat's turn, ADR 0003).
 */
describe('chaos: a retry budget of 2, then dlq replay', () => {
  const GENESYS_CHATS = chatIds(8_400_200_001, 4);
  const TELEGRAM_CHAT = '8400300001';
  const OUTAGE_CHATS = chatIds(8_400_400_001, 4);
  const OUTAGE_MESSAGES = 4;
  const TELEGRAM_OUTAGE_CHAT = '8400500001';
  let bridge: BridgeHarness;
  let db: pg.Client;

  beforeAll(async () => {
    bridge = await BridgeHarness.start({
      services: ['ingress', 'sequencer', 'dispatcher', 'outbound'],
      windowMs: 100,
      env: { GENESYS_MAX_ATTEMPTS: '2', TELEGRAM_MAX_ATTEMPTS: '2', OUTBOUND_PER_CHAT_PER_S: '5', OUTBOUND_GLOBAL_PER_S: '100' },
    });
    db = await connectDb(bridge);
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await bridge?.stop();
  });

  it('dead-letters customer messages only after their second attempt, and replay delivers them once', async () => {
    // Eight refusals shared by the chats' first attempts: whichever message gets two of them is out of budget.
    bridge.genesys.failNext('message', 2 * GENESYS_CHATS.length, { status: 503 });
    const customers = new TelegramSide(bridge, { firstUpdateId: 1 });
    await Promise.all(GENESYS_CHATS.map(async (chatId) => {
      for (let i = 0; i < 3; i++) await customers.say(chatId);
    }));
    const acknowledged = customers.acknowledged();
    const keys = [...acknowledged.values()].flat().map((offer) => `${offer.chatId}:${offer.key}`);
    // Settled: every message reached Genesys or was dead-lettered (and the chats moved on past their dead letters).
    const deadLettered = await eventually(async () => {
      const { rows } = await db.query<{ key: string }>(
        `SELECT chat_id::text || ':' || telegram_message_id::text AS key FROM messages WHERE direction = 'inbound' AND status = 'dead_lettered' AND chat_id = ANY($1::bigint[])`,
        [GENESYS_CHATS],
      );
      const dead = new Set(rows.map((row) => row.key));
      const arrived = new Set(bridge.genesys.inbound.map((record) => record.body.channel.messageId));
      expect(keys.filter((key) => !dead.has(key) && !arrived.has(key))).toEqual([]);
      return dead;
    }, 30_000, 250);
    expect(deadLettered.size).toBeGreaterThan(0);
    // Given up exactly when the budget was used: two refusals each, never one; a message refused once was delivered.
    const attemptsOf = (key: string) => bridge.genesys.requests.filter((request) => request.messageId === key).map((request) => request.status);
    for (const key of keys) expect({ key, attempts: attemptsOf(key) }).toEqual({ key, attempts: deadLettered.has(key) ? [503, 503] : expect.arrayContaining([200]) });
    // The log row is marked just before BullMQ moves the job to its failed set: wait for the move.
    const listed = await eventually(async () => {
      const result = await operatorCli(bridge, ['dlq', 'list', '--queue', 'genesys-inbound']);
      expect(result.stdout).toContain(`${deadLettered.size} failed job(s)`);
      return result;
    }, 10_000, 200);
    expect(listed.stdout.split('\n').filter((line) => /^genesys-inbound\s.*\s2\/2\s/.test(line))).toHaveLength(deadLettered.size);

    const replayedAtMs = Date.now();
    const replay = await operatorCli(bridge, ['dlq', 'replay', '--queue', 'genesys-inbound']);
    expect(replay).toMatchObject({ exitCode: 0 });
    expect(replay.stdout).toContain(`${deadLettered.size} job(s) replayed`);
    let delivered: DeliveryReport = inboundReport(bridge.genesys, acknowledged);
    await eventually(() => {
      delivered = inboundReport(bridge.genesys, acknowledged);
      expect(delivered.missing).toEqual([]);
    }, 30_000, 200);
    const homeAtMs = Math.max(...[...deadLettered].map((key) => delivered.firstArrivalAtMs.get(key.replace(':', '/')) ?? Infinity));
    expect(delivered.duplicates).toEqual([]);
    // ADR 0003: a replayed message arrives after the ones of its chat that followed it; the rest keep their order.
    for (const chatId of GENESYS_CHATS) {
      const order = bridge.genesys.inbound.filter((record) => record.body.channel.from.id === chatId).map((record) => record.body.channel.messageId);
      const ofChat = keys.filter((key) => key.startsWith(`${chatId}:`));
      expect(order).toEqual([...ofChat.filter((key) => !deadLettered.has(key)), ...ofChat.filter((key) => deadLettered.has(key))]);
    }
    await eventually(async () => expect(await messageLogStatuses(db, GENESYS_CHATS, 'inbound')).toEqual({ delivered: keys.length }), 10_000, 200);
    expect((await operatorCli(bridge, ['dlq', 'list'])).stdout).toContain('no failed jobs');

    summary('retry budget 2 (Genesys)', {
      'customer messages': `${delivered.acknowledged} acknowledged; ${deadLettered.size} dead-lettered after exactly 2 attempts each while their chats moved on, none earlier`,
      'dlq replay': `all ${deadLettered.size} delivered once, ${homeAtMs - replayedAtMs} ms after the replay`,
    });
  }, 90_000);

  it('replays every dead letter of a chat in the chat\'s order after an outage longer than the budget', async () => {
    // Genesys refuses everything until each of these chats' messages has used its budget in turn.
    bridge.genesys.failNext('message', 1_000_000, { status: 503 });
    const customers = new TelegramSide(bridge, { firstUpdateId: 10_000 });
    await Promise.all(OUTAGE_CHATS.map(async (chatId) => {
      for (let i = 0; i < OUTAGE_MESSAGES; i++) await customers.say(chatId);
    }));
    const total = OUTAGE_CHATS.length * OUTAGE_MESSAGES;
    await eventually(async () => expect(await messageLogStatuses(db, OUTAGE_CHATS, 'inbound')).toEqual({ dead_lettered: total }), 30_000, 250);
    await eventually(async () => expect((await operatorCli(bridge, ['dlq', 'list', '--queue', 'genesys-inbound'])).stdout).toContain(`${total} failed job(s)`), 10_000, 200);
    bridge.genesys.clearFaults();

    const replayedAtMs = Date.now();
    expect((await operatorCli(bridge, ['dlq', 'replay', '--queue', 'genesys-inbound'])).stdout).toContain(`${total} job(s) replayed`);
    const acknowledged = customers.acknowledged();
    let delivered: DeliveryReport = inboundReport(bridge.genesys, acknowledged);
    await eventually(() => {
      delivered = inboundReport(bridge.genesys, acknowledged);
      expect(delivered.missing).toEqual([]);
    }, 30_000, 200);
    const homeAtMs = Date.now();
    expect(delivered.duplicates).toEqual([]);
    // Nothing of these chats was delivered before the replay, so the replay owes them their whole order.
    expect(delivered.outOfOrder).toEqual([]);
    await eventually(async () => expect(await messageLogStatuses(db, OUTAGE_CHATS, 'inbound')).toEqual({ delivered: total }), 10_000, 200);

    summary('retry budget 2, outage longer than the budget (Genesys)', {
      'customer messages': `${total} of ${OUTAGE_CHATS.length} chats, every one dead-lettered after 2 attempts`,
      'dlq replay': `all delivered once, in each chat's order, within ${homeAtMs - replayedAtMs} ms of the replay`,
    });
  }, 90_000);

  it('dead-letters an agent reply after its second attempt with a Failed receipt, and replay sends it once', async () => {
    await customersWrote(db, [TELEGRAM_CHAT]);
    bridge.telegram.failNext('sendMessage', 2, { status: 502, description: 'Bad Gateway' }, { chatId: TELEGRAM_CHAT });
    const agents = new AgentSide(bridge);
    const doomed = await agents.reply(TELEGRAM_CHAT);
    const next = await agents.reply(TELEGRAM_CHAT);
    const [failed] = await bridge.genesys.waitForReceipts((receipt) => receipt.body.id === doomed.key, 1, 20_000);
    expect(failed?.body).toMatchObject({ status: 'Failed', reasons: [{ code: 'ServerError' }] });
    await bridge.genesys.waitForReceipts((receipt) => receipt.body.id === next.key && receipt.body.status === 'Delivered', 1, 20_000);

    // The Failed receipt is queued just before BullMQ moves the job to its failed set: wait for the move.
    await eventually(async () => expect((await operatorCli(bridge, ['dlq', 'list', '--queue', 'telegram-sends'])).stdout).toContain('1 failed job(s)'), 10_000, 200);
    const replayedAtMs = Date.now();
    const replay = await operatorCli(bridge, ['dlq', 'replay', '--queue', 'telegram-sends']);
    expect(replay.stdout).toContain('1 job(s) replayed');
    await bridge.genesys.waitForReceipts((receipt) => receipt.body.id === doomed.key && receipt.body.status === 'Delivered', 1, 20_000);
    const homeAtMs = Date.now();
    const sends = bridge.telegram.calls.filter((call) => call.params['chat_id'] === TELEGRAM_CHAT).map((call) => [call.params['text'], call.status]);
    // Tried twice, given up, the chat moved on; replayed, sent once. A replayed reply arrives after later ones.
    expect(sends).toEqual([
      [doomed.text, 502],
      [doomed.text, 502],
      [next.text, 200],
      [doomed.text, 200],
    ]);
    await eventually(async () => expect(await messageLogStatuses(db, [TELEGRAM_CHAT], 'outbound')).toEqual({ delivered: 2 }), 10_000, 200);

    summary('retry budget 2 (Telegram)', {
      'agent replies': '2 acknowledged; 1 dead-lettered after exactly 2 attempts with a Failed receipt while the chat moved on',
      'dlq replay': `sent once and receipted Delivered ${homeAtMs - replayedAtMs} ms after the replay`,
    });
  }, 60_000);

  it('replays every dead-lettered reply of a chat in the agent\'s order', async () => {
    await customersWrote(db, [TELEGRAM_OUTAGE_CHAT]);
    // Telegram refuses this chat until each of its three replies has used its budget of 2, in turn.
    bridge.telegram.failNext('sendMessage', 6, { status: 502, description: 'Bad Gateway' }, { chatId: TELEGRAM_OUTAGE_CHAT });
    const agents = new AgentSide(bridge);
    const replies = [await agents.reply(TELEGRAM_OUTAGE_CHAT), await agents.reply(TELEGRAM_OUTAGE_CHAT), await agents.reply(TELEGRAM_OUTAGE_CHAT)];
    await bridge.genesys.waitForReceipts((receipt) => replies.some((reply) => reply.key === receipt.body.id) && receipt.body.status === 'Failed', 3, 30_000);
    await eventually(async () => expect((await operatorCli(bridge, ['dlq', 'list', '--queue', 'telegram-sends'])).stdout).toContain('3 failed job(s)'), 10_000, 200);

    expect((await operatorCli(bridge, ['dlq', 'replay', '--queue', 'telegram-sends'])).stdout).toContain('3 job(s) replayed');
    await bridge.genesys.waitForReceipts((receipt) => replies.some((reply) => reply.key === receipt.body.id) && receipt.body.status === 'Delivered', 3, 30_000);
    const sent = bridge.telegram.calls.filter((call) => call.params['chat_id'] === TELEGRAM_OUTAGE_CHAT && call.status === 200).map((call) => call.params['text']);
    expect(sent).toEqual(replies.map((reply) => reply.text));

    summary('retry budget 2, outage longer than the budget (Telegram)', {
      'agent replies': `${replies.length} to one chat, every one dead-lettered after 2 attempts with a Failed receipt`,
      'dlq replay': 'all sent once, in the agent\'s order, and receipted Delivered',
    });
  }, 60_000);
});
