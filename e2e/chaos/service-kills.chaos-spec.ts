import pg from 'pg';
import { BridgeHarness, eventually, type BridgeServiceName } from '@tgg/testing';
import { chatIds } from './support/bridge-ops.js';
import { sleep } from './support/far-sides.js';
import { FAR_SIDE_STALL_MS, TwoWayLoad, slowFarSides, startLoadedBridge, twoWaySides } from './support/loaded-bridge.js';
import { awaitBothWaysDelivered, idsByText, inboundReport, outboundReport, progress, recoveryMs, summary } from './support/reports.js';

/**
 * Scenario 1: kill -9 of each service in turn under steady two-way load, then restart. Telegram
 * redelivers what ingress did not acknowledge; Genesys redelivers what the outbound webhook did not.
 * Both emulators answer a little slowly, so requests are in flight at each kill.
 */
const CHATS = chatIds(8_100_000_001, 10);
const LOAD_BETWEEN_KILLS_MS = 1500;
const DOWNTIME_MS = 1000;
/**
 * Work done after an answer arrived and before it is recorded (a Redis write inbound, a Postgres
 * write outbound) belongs to the documented in-flight window; on a busy 2-core machine it can take
 * a while, hence the slack.
 */
const BOOKKEEPING_SLACK_MS = 1000;

describe('chaos: kill -9 of each service under steady load', () => {
  let bridge: BridgeHarness;
  let db: pg.Client;

  beforeAll(async () => {
    ({ bridge, db } = await startLoadedBridge());
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await bridge?.stop();
  });

  it('loses nothing acknowledged, keeps each chat in order, and duplicates only what was in flight at a kill', async () => {
    const { customers, agents } = await twoWaySides(bridge, db, CHATS);
    slowFarSides(bridge);
    const load = new TwoWayLoad(customers, agents, CHATS);

    const killedAtMs = new Map<BridgeServiceName, number>();
    const restartMs = new Map<BridgeServiceName, number>();
    const recoveredMs = new Map<BridgeServiceName, number>();
    for (const service of ['ingress', 'sequencer', 'dispatcher', 'outbound'] as const) {
      await sleep(LOAD_BETWEEN_KILLS_MS);
      killedAtMs.set(service, Date.now());
      await bridge.kill(service);
      await sleep(DOWNTIME_MS);
      const restartingAtMs = Date.now();
      await bridge.startService(service);
      const readyAtMs = Date.now();
      restartMs.set(service, readyAtMs - restartingAtMs);
      progress(`${service} killed, back and ready after ${readyAtMs - (killedAtMs.get(service) ?? 0)} ms; waiting for its backlog`);
      // Recovered: everything offered before the service was back has arrived (load goes on meanwhile).
      await eventually(() => {
        const customerMessages = customers.acknowledged();
        const agentReplies = agents.acknowledged();
        const backlog = Math.max(
          recoveryMs(customerMessages, inboundReport(bridge.genesys, customerMessages), readyAtMs),
          recoveryMs(agentReplies, outboundReport(bridge.telegram, idsByText(agentReplies), agentReplies), readyAtMs),
        );
        expect(backlog).toBeLessThan(Infinity);
        recoveredMs.set(service, backlog);
      }, 60_000, 100);
      progress(`${service}: backlog worked off ${recoveredMs.get(service)} ms after ready`);
    }
    await sleep(LOAD_BETWEEN_KILLS_MS);
    await load.stop();
    const loadEndedAtMs = Date.now();

    const { customerMessages, agentReplies, toGenesys, toTelegram } = await awaitBothWaysDelivered(bridge, customers, agents, 90_000);
    const drainedAtMs = Date.now();

    expect(toGenesys.outOfOrder).toEqual([]);
    expect(toTelegram.outOfOrder).toEqual([]);
    // Genesys: only a request in flight when the dispatcher died may arrive twice, and only once more.
    const dispatcherKill = killedAtMs.get('dispatcher') ?? 0;
    const genesysDuplicatesOutsideWindow = toGenesys.duplicates.filter(
      (duplicate) => duplicate.copies > 2 || duplicate.firstAtMs < dispatcherKill - FAR_SIDE_STALL_MS.genesys - BOOKKEEPING_SLACK_MS || duplicate.firstAtMs > dispatcherKill,
    );
    expect(genesysDuplicatesOutsideWindow).toEqual([]);
    // Telegram: only a send in flight when outbound died may arrive twice, and only once more.
    const outboundKill = killedAtMs.get('outbound') ?? 0;
    const telegramDuplicatesOutsideWindow = toTelegram.duplicates.filter(
      (duplicate) => duplicate.copies > 2 || duplicate.firstAtMs < outboundKill - FAR_SIDE_STALL_MS.telegram - BOOKKEEPING_SLACK_MS || duplicate.firstAtMs > outboundKill,
    );
    expect(telegramDuplicatesOutsideWindow).toEqual([]);
    // One message in flight per chat and direction: at most one duplicate per chat on each side.
    for (const duplicates of [toGenesys.duplicates, toTelegram.duplicates]) {
      const chatsWithDuplicates = duplicates.map((duplicate) => duplicate.chatId);
      expect(new Set(chatsWithDuplicates).size).toBe(chatsWithDuplicates.length);
    }
    // Retries of the far sides happened: ingress and outbound were really down.
    expect(customers.count('refused')).toBeGreaterThan(0);
    expect(agents.count('refused')).toBeGreaterThan(0);

    const services = ['ingress', 'sequencer', 'dispatcher', 'outbound'] as const;
    summary('kill -9 of each service', {
      'customer messages': `${toGenesys.acknowledged} acknowledged (${customers.count('refused')} posts refused while ingress was down), all delivered in order`,
      'agent replies': `${toTelegram.acknowledged} acknowledged (${agents.count('refused')} posts refused while outbound was down), all sent in order`,
      'duplicates at Genesys': `${toGenesys.duplicates.length} (in flight at the dispatcher kill)`,
      'duplicates at Telegram': `${toTelegram.duplicates.length} (in flight at the outbound kill)`,
      'restart to ready': services.map((service) => `${service} ${restartMs.get(service)} ms`).join(', '),
      'backlog worked off after ready': services.map((service) => `${service} ${recoveredMs.get(service)} ms`).join(', '),
      'load ran': `${loadEndedAtMs - load.startedAtMs} ms, drained ${drainedAtMs - loadEndedAtMs} ms after`,
    });
  }, 180_000);
});
