import { HARNESS_CREDENTIALS } from '@tgg/testing';
import type { BenchBridge } from '../bench-bridge.js';
import { percentile } from '../stats.js';

export const REPLIES = { count: 200, perS: 20 } as const;

export interface AgentReplies {
  replies: number;
  p50Ms: number;
  p99Ms: number;
}

/** 200 agent replies to 200 chats at 20/s: Genesys webhook → outbound → Telegram sendMessage. */
export async function agentReplies(bridge: BenchBridge, chatIds: string[]): Promise<AgentReplies | undefined> {
  if (!bridge.withOutbound) return undefined;
  const { genesys, telegram } = bridge.harness;
  const sentAtMs = new Map<string, number>();
  for (const [index, chatId] of chatIds.slice(0, REPLIES.count).entries()) {
    sentAtMs.set(chatId, Date.now());
    void genesys.sendAgentMessage(HARNESS_CREDENTIALS.integrationId, { toId: chatId, text: `agent reply ${index}` });
    await new Promise((resolve) => setTimeout(resolve, 1000 / REPLIES.perS));
  }
  const deadline = Date.now() + 120_000;
  while (telegram.callsTo('sendMessage').length < sentAtMs.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const latencies = telegram
    .callsTo('sendMessage')
    .map((call) => call.atMs - (sentAtMs.get(String(call.params['chat_id'])) ?? Number.NaN))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return { replies: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}
