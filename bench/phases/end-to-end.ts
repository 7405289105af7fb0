import type { BenchBridge } from '../bench-bridge.js';
import { runLoad, type LoadResult } from '../load-generator.js';
import { cpuSeconds } from '../peak-rss.js';
import { percentile, round } from '../stats.js';
import { AckedUpdates, UpdateStream, keyOf } from '../updates.js';

export const E2E_RATE = 1000;
export const E2E_CHATS = 500;

export interface EndToEnd {
  load: LoadResult;
  messages: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Share of one core each process used during the phase: where the time goes. */
  cpuCoresUsed: Record<string, number>;
}

/** Webhook → Genesys latency of each acknowledged update at a fixed 1,000 updates/s over 500 chats. */
export async function endToEnd(bridge: BenchBridge, durationS: number, chatBase: number, acked: AckedUpdates): Promise<EndToEnd> {
  const processes = bridge.processes();
  const cpuBefore = processes.map((entry) => cpuSeconds(entry.pid) ?? 0);
  const startedAtMs = Date.now();
  const updates = new UpdateStream(chatBase, E2E_CHATS);
  const phase = new AckedUpdates();
  const load = await runLoad({
    url: bridge.webhookUrl,
    durationS,
    connections: 32,
    overallRate: E2E_RATE,
    headers: bridge.webhookHeaders,
    nextBody: () => updates.next(),
    onAcked: (body) => phase.add(keyOf(body)),
  });
  acked.merge(phase);
  await bridge.waitForGenesys(phase.messageIds(), 'end to end');
  const wallS = (Date.now() - startedAtMs) / 1000;
  const cpuCoresUsed = Object.fromEntries(processes.map((entry, index) => [entry.name, round(((cpuSeconds(entry.pid) ?? 0) - (cpuBefore[index] ?? 0)) / wallS)]));
  const owed = new Set(phase.messageIds());
  const firstArrival = new Map<string, number>();
  for (const record of bridge.harness.genesys.inbound) {
    const id = record.body.channel.messageId;
    if (owed.has(id) && !firstArrival.has(id)) firstArrival.set(id, record.atMs);
  }
  const latencies = [...firstArrival].map(([id, atMs]) => atMs - (updates.sentAtMs.get(id) ?? Number.NaN)).filter(Number.isFinite).sort((a, b) => a - b);
  return { load, messages: latencies.length, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), p99Ms: percentile(latencies, 99), cpuCoresUsed };
}
