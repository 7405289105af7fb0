import pg from 'pg';
import { BridgeHarness, HARNESS_CREDENTIALS, eventually, type BridgeReplica, type BridgeServiceName } from '@tgg/testing';
import { chatIds, connectDb, mappings } from './support/bridge-ops.js';
import { SteadyLoad, sleep } from './support/far-sides.js';
import { ReplicaRotation, RotatingAgentSide, RotatingTelegramSide, busiestSecond, emulatorsCaughtUp, genesysOverlaps } from './support/replicas.js';
import { awaitBothWaysDelivered, idsByText, type Duplicate, inboundReport, outboundReport, progress, recoveryMs, summary } from './support/reports.js';

/**
 * Two processes of every service against one Redis and Postgres under steady two-way load; the
 * far sides spread their webhook posts over both ingress and both outbound processes in turn. One
 * process of each service is killed with -9 in turn, and the other carries on alone: Telegram and
 * Genesys redeliver what a killed process did not answer to the other one, and a killed worker's
 * jobs go to its twin when their locks expire. Both emulators answer a little slowly, so requests
 * are in flight at each kill.
 */
const SERVICES = ['ingress', 'sequencer', 'dispatcher', 'outbound'] as const;
/** Ingress last, so both ingress processes share the webhooks for most of the run. */
const KILL_ORDER = ['sequencer', 'dispatcher', 'outbound', 'ingress'] as const;
const CHATS = chatIds(8_300_000_001, 10);
const CUSTOMER_INTERVAL_MS = 500; // per chat: 20 messages/s in all
const AGENT_INTERVAL_MS = 1000; // per chat: 10 replies/s in all, a third of the global limit
/** Low, so that the agents' bursts (below) press on it: 10 chats × 5/s would be 50/s without it. */
const OUTBOUND_GLOBAL_PER_S = 30;
const OUTBOUND_PER_CHAT_PER_S = 5;
/** Replies each agent sends back to back in one burst, while both outbound processes run. */
const AGENT_BURST = 8;
const GENESYS_STALL_MS = 150;
const TELEGRAM_STALL_MS = 100;
const LOAD_BETWEEN_KILLS_MS = 1500;
/** As in service-kills: bookkeeping after an answer (a Redis write inbound, a Postgres write outbound) belongs to the in-flight window, slow on a busy 2-core machine. */
const BOOKKEEPING_SLACK_MS = 1000;

describe('chaos: two processes of every service, kill -9 of one of each under steady load', () => {
  let bridge: BridgeHarness;
  let db: pg.Client;
  const twins = new Map<BridgeServiceName, BridgeReplica>();

  beforeAll(async () => {
    const startingAtMs = Date.now();
    bridge = await BridgeHarness.start({
      services: [...SERVICES],
      windowMs: 300,
      env: { OUTBOUND_PER_CHAT_PER_S: String(OUTBOUND_PER_CHAT_PER_S), OUTBOUND_GLOBAL_PER_S: String(OUTBOUND_GLOBAL_PER_S) },
    });
    const started = await Promise.all(SERVICES.map(async (service) => [service, await bridge.startReplica(service)] as const));
    for (const [service, twin] of started) twins.set(service, twin);
    progress(`eight processes ready after ${Date.now() - startingAtMs} ms`);
    db = await connectDb(bridge);
  }, 90_000);

  afterAll(async () => {
    await db?.end();
    await bridge?.stop(); // stops the twins too
  });

  it('loses nothing, keeps each chat in order and one message in flight, holds the global limit, duplicates only what was in flight at a kill', async () => {
    const twinUrl = (service: BridgeServiceName) => twins.get(service)?.url ?? '';
    const ingress = new ReplicaRotation([bridge.url('ingress'), twinUrl('ingress')]);
    const outbound = new ReplicaRotation([bridge.url('outbound'), twinUrl('outbound')]);
    const customers = new RotatingTelegramSide(bridge, ingress, HARNESS_CREDENTIALS.webhookSecret);
    const agents = new RotatingAgentSide(bridge, outbound);
    // Agents can answer only chats that wrote first: one message each, and the mapping written.
    await Promise.all(CHATS.map((chatId) => customers.say(chatId)));
    await eventually(async () => expect((await mappings(db, CHATS)).size).toBe(CHATS.length), 20_000, 100);

    bridge.genesys.stall('message', GENESYS_STALL_MS, 1_000_000);
    bridge.telegram.stall('sendMessage', TELEGRAM_STALL_MS, 1_000_000);
    const startedAtMs = Date.now();
    // A chat's burst runs inside its own turn of the load, so its replies still go one at a time.
    const burstsDue = new Set<string>();
    const burst = () => CHATS.forEach((chatId) => burstsDue.add(chatId));
    const inbound = new SteadyLoad(CHATS, CUSTOMER_INTERVAL_MS, (chatId) => customers.say(chatId));
    const outboundLoad = new SteadyLoad(CHATS, AGENT_INTERVAL_MS, async (chatId) => {
      const replies = burstsDue.delete(chatId) ? AGENT_BURST : 1;
      for (let n = 0; n < replies; n++) await agents.reply(chatId);
    });

    /**
     * From the SIGKILL until the test saw the process exit and the emulators had read what was
     * already sent to them: a request the process sent may be stamped anywhere up to the end of that
     * (the emulators share the test's event loop, which lags on a busy machine).
     */
    const kills = new Map<BridgeServiceName, { signalledAtMs: number; exitedAtMs: number }>();
    const recoveredMs = new Map<BridgeServiceName, number>();
    for (const service of KILL_ORDER) {
      if (service === KILL_ORDER[0]) burst();
      await sleep(LOAD_BETWEEN_KILLS_MS);
      const killAtMs = Date.now();
      await bridge.kill(service);
      await emulatorsCaughtUp([bridge.genesys.baseUrl, bridge.telegram.baseUrl]);
      kills.set(service, { signalledAtMs: killAtMs, exitedAtMs: Date.now() });
      progress(`${service} killed -9 (gone ${Date.now() - killAtMs} ms after the signal), its twin carries on; waiting until what was offered before the kill arrived`);
      // Recovered: everything offered before the kill has arrived (load goes on meanwhile).
      await eventually(() => {
        const customerMessages = customers.acknowledged();
        const agentReplies = agents.acknowledged();
        const backlog = Math.max(
          recoveryMs(customerMessages, inboundReport(bridge.genesys, customerMessages), killAtMs),
          recoveryMs(agentReplies, outboundReport(bridge.telegram, idsByText(agentReplies), agentReplies), killAtMs),
        );
        expect(backlog).toBeLessThan(Infinity);
        recoveredMs.set(service, backlog);
      }, 60_000, 100);
      progress(`${service}: everything offered before the kill arrived ${recoveredMs.get(service)} ms after it`);
    }
    await sleep(LOAD_BETWEEN_KILLS_MS);
    await Promise.all([inbound.stop(), outboundLoad.stop()]);
    const loadEndedAtMs = Date.now();

    const { toGenesys, toTelegram } = await awaitBothWaysDelivered(bridge, customers, agents, 60_000);
    const drainedAtMs = Date.now();

    // Both replicas of each HTTP service took webhooks, and the kills hit live traffic (far sides redelivered).
    for (const rotation of [ingress, outbound]) for (const url of rotation.urls) expect({ url, acknowledged: (rotation.acknowledgedBy.get(url) ?? 0) > 0 }).toEqual({ url, acknowledged: true });
    expect(customers.count('refused')).toBeGreaterThan(0);
    expect(agents.count('refused')).toBeGreaterThan(0);

    // In flight at a kill: arrived at the far side at most its stall (plus bookkeeping) before the
    // signal, and no later than the process was seen gone.
    const inFlightAtKill = (service: BridgeServiceName, stallMs: number) => {
      const kill = kills.get(service) ?? { signalledAtMs: 0, exitedAtMs: 0 };
      return (atMs: number) => atMs >= kill.signalledAtMs - stallMs - BOOKKEEPING_SLACK_MS && atMs <= kill.exitedAtMs;
    };
    const inDispatcherKill = inFlightAtKill('dispatcher', GENESYS_STALL_MS);
    const inOutboundKill = inFlightAtKill('outbound', TELEGRAM_STALL_MS);
    const sinceKill = (service: BridgeServiceName) => (duplicate: Duplicate) => ({ ...duplicate, sinceKillMs: duplicate.firstAtMs - (kills.get(service)?.signalledAtMs ?? 0) });
    const overlaps = genesysOverlaps(bridge.genesys.requests, CHATS);
    const resendsOfKilled = overlaps.filter(({ earlier, later }) => later.messageId === earlier.messageId && inDispatcherKill(earlier.atMs));
    const repeated = (chatIds: string[]) => chatIds.filter((chatId, index) => chatIds.indexOf(chatId) !== index);
    // All at once, so a failing run shows every broken guarantee (0 lost: awaitBothWaysDelivered).
    expect({
      // In order per chat, both ways.
      genesysOutOfOrder: toGenesys.outOfOrder,
      telegramOutOfOrder: toTelegram.outOfOrder,
      // Only a request in flight when a dispatcher died may reach Genesys twice, and only once more;
      // the same for a send in flight when an outbound process died, at Telegram.
      genesysDuplicatesNotInFlightAtKill: toGenesys.duplicates.filter((duplicate) => duplicate.copies > 2 || !inDispatcherKill(duplicate.firstAtMs)).map(sinceKill('dispatcher')),
      telegramDuplicatesNotInFlightAtKill: toTelegram.duplicates.filter((duplicate) => duplicate.copies > 2 || !inOutboundKill(duplicate.firstAtMs)).map(sinceKill('outbound')),
      // One message in flight per chat and direction: at most one duplicate per chat on each side.
      chatsWithSeveralDuplicates: [...repeated(toGenesys.duplicates.map((duplicate) => duplicate.chatId)), ...repeated(toTelegram.duplicates.map((duplicate) => duplicate.chatId))],
      // Never two requests of one chat open at Genesys at once, across both dispatchers — except the
      // re-send of a request that was open when its dispatcher was killed.
      genesysRequestsOfOneChatOpenAtOnce: overlaps
        .filter((overlap) => !resendsOfKilled.includes(overlap))
        .map(({ chatId, earlier, later }) => ({ chatId, earlier: earlier.messageId, later: later.messageId, overlapMs: (earlier.answeredAtMs ?? Infinity) - later.startedAtMs })),
    }).toEqual({
      genesysOutOfOrder: [],
      telegramOutOfOrder: [],
      genesysDuplicatesNotInFlightAtKill: [],
      telegramDuplicatesNotInFlightAtKill: [],
      chatsWithSeveralDuplicates: [],
      genesysRequestsOfOneChatOpenAtOnce: [],
    });

    // The global limit, counted by Telegram's receive stamps across both outbound processes.
    const chats = new Set(CHATS);
    const sends = bridge.telegram.calls.filter((call) => chats.has(String(call.params['chat_id'])));
    const busiest = busiestSecond(sends);
    expect(busiest).toBeLessThanOrEqual(OUTBOUND_GLOBAL_PER_S);

    summary('two of every service, kill -9 of one of each', {
      'customer messages': `${toGenesys.acknowledged} acknowledged by ingress ${ingress.describe()} (${customers.count('refused')} posts refused by the killed one, redelivered), all delivered in order`,
      'agent replies': `${toTelegram.acknowledged} acknowledged by outbound ${outbound.describe()} (${agents.count('refused')} refused), all sent in order`,
      'duplicates at Genesys': `${toGenesys.duplicates.length} (in flight at the dispatcher kill)`,
      'duplicates at Telegram': `${toTelegram.duplicates.length} (in flight at the outbound kill)`,
      'chat requests open at once at Genesys': `${overlaps.length} (${resendsOfKilled.length} re-sends of one open at the kill)`,
      'busiest second at Telegram': `${busiest} sends (global limit ${OUTBOUND_GLOBAL_PER_S}/s, ${sends.length} in all)`,
      'offered before a kill, arrived after it within': KILL_ORDER.map((service) => `${service} ${recoveredMs.get(service)} ms`).join(', '),
      'load ran': `${loadEndedAtMs - startedAtMs} ms, drained ${drainedAtMs - loadEndedAtMs} ms after`,
    });
  }, 180_000);
});
