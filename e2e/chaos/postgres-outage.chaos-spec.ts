import pg from 'pg';
import { BridgeHarness, TcpProxy, createTestDatabase, eventually } from '@tgg/testing';
import { chatIds, customersWrote, mappings, messageLogStatuses } from './support/bridge-ops.js';
import { AgentSide, SteadyLoad, sleep } from './support/far-sides.js';
import { CUSTOMER_INTERVAL_MS, TwoWayLoad, startLoadedBridge, twoWaySides } from './support/loaded-bridge.js';
import { awaitBothWaysDelivered, recoveryMs, summary } from './support/reports.js';

/**
 * Scenario 3: Postgres unreachable for 10 s under load (and once more, just after a send). Every service reaches the database through
 * a TCP proxy the test cuts (the machine's cluster is never touched); the test itself reads the
 * database directly. Ingress keeps answering 200 (channels are cached), the dispatcher and outbound
 * wait and retry, and chats that first wrote during the outage get their mapping once it is back.
 */
const CHATS = chatIds(8_300_000_001, 10);
/** Write for the first time while Postgres is away. */
const NEW_CHATS = chatIds(8_300_100_001, 5);
const OUTAGE_MS = 10_000;
const UNLUCKY_CHAT = '8300200001';

describe('chaos: Postgres unavailable for 10 s', () => {
  let proxy: TcpProxy;
  let bridge: BridgeHarness;
  let db: pg.Client;

  beforeAll(async () => {
    const database = await createTestDatabase();
    const direct = new URL(database.url);
    proxy = await TcpProxy.start(Number(direct.port || 5432), direct.hostname);
    const proxied = new URL(database.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    ({ bridge, db } = await startLoadedBridge({ database, env: { DATABASE_URL: proxied.toString() } }));
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    proxy?.restore();
    await bridge?.stop();
    await proxy?.close();
  });

  it('keeps accepting, loses nothing, and writes the mappings once Postgres is back', async () => {
    const { customers, agents } = await twoWaySides(bridge, db, CHATS);
    const load = new TwoWayLoad(customers, agents, CHATS);
    await sleep(2000);

    proxy.cut();
    const cutAtMs = Date.now();
    const newcomers = new SteadyLoad(NEW_CHATS, CUSTOMER_INTERVAL_MS, (chatId) => customers.say(chatId));
    await sleep(OUTAGE_MS);
    // Nothing that needs the database got through meanwhile (bar a request already past its claim), so the cut was real.
    expect(bridge.genesys.inbound.filter((record) => record.atMs > cutAtMs + 2000)).toEqual([]);
    expect(await mappings(db, NEW_CHATS)).toEqual(new Map());
    proxy.restore();
    const restoredAtMs = Date.now();
    await sleep(2000);
    await Promise.all([load.stop(), newcomers.stop()]);

    const { customerMessages, agentReplies, toGenesys, toTelegram } = await awaitBothWaysDelivered(bridge, customers, agents, 90_000);

    // Ingress and the outbound webhook never needed the database to say 200.
    expect([...customers.outcomes.keys()]).toEqual(['200']);
    expect([...agents.outcomes.keys()]).toEqual(['200']);
    expect(toGenesys.outOfOrder).toEqual([]);
    expect(toTelegram.outOfOrder).toEqual([]);
    expect(toGenesys.duplicates).toEqual([]);
    expect(toTelegram.duplicates).toEqual([]);
    // Mappings of the chats that first wrote during the outage carry the conversation Genesys made.
    const conversationIdOf = new Map(bridge.genesys.inbound.map((record) => [record.body.channel.from.id, record.conversationId]));
    await eventually(async () => {
      const written = await mappings(db, NEW_CHATS);
      expect([...written.entries()].sort()).toEqual(NEW_CHATS.map((chatId) => [chatId, conversationIdOf.get(chatId)]));
    }, 20_000, 200);
    const allChats = [...CHATS, ...NEW_CHATS];
    await eventually(async () => expect(await messageLogStatuses(db, allChats, 'inbound')).toEqual({ delivered: toGenesys.acknowledged }), 20_000, 200);
    await eventually(async () => expect(await messageLogStatuses(db, CHATS, 'outbound')).toEqual({ delivered: toTelegram.acknowledged }), 20_000, 200);

    const recoveryInbound = recoveryMs(customerMessages, toGenesys, restoredAtMs);
    const recoveryOutbound = recoveryMs(agentReplies, toTelegram, restoredAtMs);
    summary('Postgres unavailable', {
      'customer messages': `${toGenesys.acknowledged} acknowledged (${customers.offers.filter((offer) => offer.firstAttemptAtMs >= cutAtMs && offer.firstAttemptAtMs < restoredAtMs).length} during the ${OUTAGE_MS} ms outage, every post answered 200), all delivered once, in order`,
      'agent replies': `${toTelegram.acknowledged} acknowledged, all sent once, in order`,
      'chats that first wrote during the outage': `${NEW_CHATS.length}, mapped once Postgres was back`,
      'backlog worked off after Postgres was back': `inbound ${recoveryInbound} ms, outbound ${recoveryOutbound} ms`,
      'load ran': `${restoredAtMs + 2000 - load.startedAtMs} ms`,
    });
  }, 180_000);

  it('does not send a reply again when Postgres went away just after Telegram accepted it', async () => {
    await customersWrote(db, [UNLUCKY_CHAT]);
    // Telegram takes the message at once but answers late; Postgres is gone by the time outbound records it.
    bridge.telegram.stall('sendMessage', 1500, 1, { chatId: UNLUCKY_CHAT });
    const reply = await new AgentSide(bridge).reply(UNLUCKY_CHAT);
    await bridge.telegram.waitForCall((call) => call.params['chat_id'] === UNLUCKY_CHAT, 20_000);
    proxy.cut();
    await sleep(4000);
    proxy.restore();
    await bridge.genesys.waitForReceipts((receipt) => receipt.body.id === reply.key && receipt.body.status === 'Delivered', 1, 60_000);
    const sends = bridge.telegram.calls.filter((call) => call.params['chat_id'] === UNLUCKY_CHAT).map((call) => [call.params['text'], call.status]);
    expect(sends).toEqual([[reply.text, 200]]);
    await eventually(async () => expect(await messageLogStatuses(db, [UNLUCKY_CHAT], 'outbound')).toEqual({ delivered: 1 }), 10_000, 200);

    summary('Postgres gone just after a send', { 'agent reply': 'accepted by Telegram as Postgres went away for 4 s: sent once, recorded delivered once it was back' });
  }, 90_000);
});
