import { eventually } from '@tgg/testing';
import type { FakeGenesys, FakeTelegram, GenesysRequestRecord, TelegramCall } from '@tgg/emulators';
import type { Offer } from './far-sides.js';

/** One message that reached the far side more than once. */
export interface Duplicate {
  chatId: string;
  key: string;
  copies: number;
  /** When the first copy arrived. */
  firstAtMs: number;
}

/** What reached the far side, held against what the bridge acknowledged. */
export interface DeliveryReport {
  acknowledged: number;
  /** Acknowledged but never arrived: lost. */
  missing: string[];
  duplicates: Duplicate[];
  /** Chats whose messages arrived in another order than acknowledged (or with strangers in between). */
  outOfOrder: string[];
  /** First arrival per `chatId/key`. */
  firstArrivalAtMs: Map<string, number>;
}

interface Arrival {
  chatId: string;
  key: string;
  atMs: number;
}

function report(acknowledged: Map<string, Offer[]>, arrivals: Arrival[]): DeliveryReport {
  const result: DeliveryReport = { acknowledged: 0, missing: [], duplicates: [], outOfOrder: [], firstArrivalAtMs: new Map() };
  for (const [chatId, offers] of acknowledged) {
    result.acknowledged += offers.length;
    const ofChat = arrivals.filter((arrival) => arrival.chatId === chatId);
    const copies = new Map<string, Arrival[]>();
    for (const arrival of ofChat) copies.set(arrival.key, [...(copies.get(arrival.key) ?? []), arrival]);
    for (const offer of offers) {
      const arrived = copies.get(offer.key);
      if (!arrived) result.missing.push(`${chatId}/${offer.key}`);
      else result.firstArrivalAtMs.set(`${chatId}/${offer.key}`, arrived[0]?.atMs ?? 0);
    }
    for (const [key, arrived] of copies) if (arrived.length > 1) result.duplicates.push({ chatId, key, copies: arrived.length, firstAtMs: arrived[0]?.atMs ?? 0 });
    // Order of first arrivals; a re-sent copy is not a reordering (it is counted as a duplicate).
    const firstOrder = [...copies.keys()];
    if (firstOrder.join('\n') !== offers.map((offer) => offer.key).join('\n')) result.outOfOrder.push(chatId);
  }
  return result;
}

/** Customer messages at Genesys (channel.messageId = `<chat>:<message_id>`) against what ingress acknowledged. */
export function inboundReport(genesys: FakeGenesys, acknowledged: Map<string, Offer[]>): DeliveryReport {
  const arrivals = genesys.inbound.map((record) => {
    const [chatId = '', messageId = ''] = record.body.channel.messageId.split(':');
    return { chatId, key: messageId, atMs: record.atMs };
  });
  return report(acknowledged, arrivals);
}

/** Agent replies sent to Telegram (sendMessage answered 200) against what the outbound webhook acknowledged. */
export function outboundReport(telegram: FakeTelegram, agentMessageIds: Map<string, string>, acknowledged: Map<string, Offer[]>): DeliveryReport {
  // Keyed by Genesys message id through the reply text, which is unique per reply.
  const arrivals = telegram.calls
    .filter((call) => call.method === 'sendMessage' && call.status === 200)
    .map((call) => ({ chatId: String(call.params['chat_id']), key: agentMessageIds.get(String(call.params['text'])) ?? `text:${String(call.params['text'])}`, atMs: call.atMs }));
  return report(acknowledged, arrivals);
}

/** Genesys message id by reply text, for outboundReport. */
export function idsByText(acknowledged: Map<string, Offer[]>): Map<string, string> {
  return new Map([...acknowledged.values()].flat().map((offer) => [offer.text, offer.key]));
}

/**
 * How long after `faultEndedAtMs` the last message first offered before it arrived: the time the
 * bridge needed to work off what the fault held back (0 when it had already).
 */
export function recoveryMs(acknowledged: Map<string, Offer[]>, delivered: DeliveryReport, faultEndedAtMs: number): number {
  let latest = faultEndedAtMs;
  for (const [chatId, offers] of acknowledged) {
    for (const offer of offers) {
      if (offer.firstAttemptAtMs > faultEndedAtMs) continue;
      latest = Math.max(latest, delivered.firstArrivalAtMs.get(`${chatId}/${offer.key}`) ?? Infinity);
    }
  }
  return latest - faultEndedAtMs;
}

/** Gaps between an answer with `status` and the next attempt of the same message, per message. */
export function genesysRetryGaps(requests: readonly GenesysRequestRecord[], status: number): number[] {
  return retryGaps(requests.filter((request) => request.route === 'message' && request.messageId !== undefined), (request) => request.messageId ?? '', status);
}

/** Gaps between a sendMessage answered with `status` and the next attempt of the same text to the same chat. */
export function telegramRetryGaps(calls: readonly TelegramCall[], status: number): number[] {
  return retryGaps(calls.filter((call) => call.method === 'sendMessage'), (call) => `${String(call.params['chat_id'])}\n${String(call.params['text'])}`, status);
}

function retryGaps<T extends { status: number; atMs: number }>(attempts: readonly T[], keyOf: (attempt: T) => string, status: number): number[] {
  const byKey = new Map<string, T[]>();
  for (const attempt of attempts) byKey.set(keyOf(attempt), [...(byKey.get(keyOf(attempt)) ?? []), attempt]);
  const gaps: number[] = [];
  for (const series of byKey.values()) {
    for (let i = 0; i + 1 < series.length; i++) {
      const [current, next] = [series[i], series[i + 1]];
      if (current && next && current.status === status) gaps.push(next.atMs - current.atMs);
    }
  }
  return gaps;
}

/** "n=12 min 1003 median 1130 max 1460 ms" */
export function describeGaps(gaps: readonly number[]): string {
  if (gaps.length === 0) return 'n=0';
  const sorted = [...gaps].sort((a, b) => a - b);
  return `n=${sorted.length} min ${sorted[0]} median ${sorted[Math.floor(sorted.length / 2)]} max ${sorted.at(-1)} ms`;
}

/** A line while a long scenario runs, so a timeout shows where it stood. */
export function progress(line: string): void {
  process.stderr.write(`  chaos … ${line}\n`);
}

/** The one line per scenario the closing note quotes. */
export function summary(scenario: string, facts: Record<string, string | number>): void {
  console.log(`chaos ${scenario}: ${Object.entries(facts).map(([name, value]) => `${name} ${value}`).join('; ')}`);
}

export interface BothWays {
  customerMessages: Map<string, Offer[]>;
  agentReplies: Map<string, Offer[]>;
  toGenesys: DeliveryReport;
  toTelegram: DeliveryReport;
}

/** Waits until every acknowledged customer message reached Genesys and every agent reply reached Telegram. */
export async function awaitBothWaysDelivered(
  bridge: { genesys: FakeGenesys; telegram: FakeTelegram },
  customers: { acknowledged(): Map<string, Offer[]> },
  agents: { acknowledged(): Map<string, Offer[]> },
  timeoutMs: number,
): Promise<BothWays> {
  const customerMessages = customers.acknowledged();
  const agentReplies = agents.acknowledged();
  const texts = idsByText(agentReplies);
  const report = (): BothWays => ({ customerMessages, agentReplies, toGenesys: inboundReport(bridge.genesys, customerMessages), toTelegram: outboundReport(bridge.telegram, texts, agentReplies) });
  return eventually(() => {
    const both = report();
    expect({ genesys: both.toGenesys.missing, telegram: both.toTelegram.missing }).toEqual({ genesys: [], telegram: [] });
    return both;
  }, timeoutMs, 250);
}
