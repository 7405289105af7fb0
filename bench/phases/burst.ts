import http from 'node:http';
import { shuffled } from '@tgg/testing';
import type { BenchBridge } from '../bench-bridge.js';
import { percentile } from '../stats.js';
import { AckedUpdates, keyOf, textUpdateBody } from '../updates.js';

export const BURST = { posts: 400, overMs: 200, chats: 25, duplicateShare: 0.2, seed: 20_240_601 } as const;
/** Telegram's default `max_connections` for a webhook: it never has more requests in flight. */
const CONNECTIONS = 40;

export interface Burst {
  posts: number;
  unique: number;
  non2xx: number;
  errors: number;
  ackP50Ms: number;
  ackP99Ms: number;
}

function post(agent: http.Agent, url: URL, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    request.once('error', reject);
    request.end(body);
  });
}

/**
 * A redelivery storm as Telegram produces one after an outage: 400 posts within 200 ms over 25
 * chats, in shuffled order, 20 % of them repeats of another post (same update_id). Ack latency is
 * counted from each post's planned send time, so waiting for one of the 40 connections counts too.
 */
export async function burst(bridge: BenchBridge, chatBase: number, acked: AckedUpdates): Promise<Burst> {
  const uniqueCount = Math.round(BURST.posts * (1 - BURST.duplicateShare));
  const messageIdByChat = new Map<number, number>();
  const unique = Array.from({ length: uniqueCount }, (_, index) => {
    const chatId = chatBase + (index % BURST.chats);
    const messageId = (messageIdByChat.get(chatId) ?? 0) + 1;
    messageIdByChat.set(chatId, messageId);
    return textUpdateBody({ chatId, messageId });
  });
  const repeats = shuffled(unique, BURST.seed).slice(0, BURST.posts - uniqueCount);
  const posts = shuffled([...unique, ...repeats], BURST.seed + 1);

  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const url = new URL(bridge.webhookUrl);
  // Open the connections first, as Telegram's are already open when a storm starts.
  await Promise.all(Array.from({ length: CONNECTIONS }, () => new Promise<void>((resolve, reject) => {
    http.get(new URL('/health/live', url), { agent }, (response) => response.resume().once('end', () => resolve())).once('error', reject);
  })));

  const phase = new AckedUpdates();
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const startedAtMs = performance.now();
  const sends = posts.map(async (body, index) => {
    const plannedAtMs = startedAtMs + (index * BURST.overMs) / BURST.posts;
    const waitMs = plannedAtMs - performance.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    try {
      const status = await post(agent, url, bridge.webhookHeaders, body);
      latencies.push(performance.now() - plannedAtMs);
      if (status >= 200 && status < 300) phase.add(keyOf(body));
      else non2xx += 1;
    } catch {
      errors += 1;
    }
  });
  await Promise.all(sends);
  agent.destroy();
  acked.merge(phase);
  await bridge.waitForGenesys(phase.messageIds(), 'burst');
  latencies.sort((a, b) => a - b);
  return { posts: posts.length, unique: uniqueCount, non2xx, errors, ackP50Ms: Math.round(percentile(latencies, 50)), ackP99Ms: Math.round(percentile(latencies, 99)) };
}
