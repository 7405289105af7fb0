import { SATURATION_CONNECTIONS } from '../baselines.js';
import type { BenchBridge } from '../bench-bridge.js';
import { runLoad, type LoadResult } from '../load-generator.js';
import { cpuSeconds } from '../peak-rss.js';
import { round } from '../stats.js';
import { AckedUpdates, UpdateStream, keyOf } from '../updates.js';

export interface DrainRound {
  dispatchers: number;
  sequencers: number;
  /** Ingress at saturation with the pipeline paused: its sequencer and dispatcher processes sit idle. */
  ingressAlone: LoadResult;
  backlog: number;
  /** First to last arrival at Genesys of the backlog: the steady rate, without the window's first hold. */
  drainMs: number;
  messagesPerS: number;
  missing: number;
  /**
   * CPU milliseconds each process spent per message of the backlog, from the first post to the last
   * arrival at Genesys: ingress while it took the backlog in, the rest while they drained it. The
   * sum is what one message costs the bridge (emulators and the load generator are not in it).
   */
  cpuMsPerMessage: Record<string, number>;
}

/**
 * With the pipeline paused, ingress alone takes a saturating load for `durationS`; then `dispatchers`
 * dispatchers drain that backlog end to end (webhook → Genesys). Leaves the pipeline running.
 */
export async function drainRound(bridge: BenchBridge, dispatchers: number, sequencers: number, durationS: number, chatBase: number, acked: AckedUpdates): Promise<DrainRound> {
  await bridge.pausePipeline();
  await bridge.setDispatchers(dispatchers);
  const processes = bridge.processes();
  const cpuBefore = processes.map((entry) => cpuSeconds(entry.pid) ?? 0);
  const updates = new UpdateStream(chatBase, 500);
  const backlog = new AckedUpdates();
  const ingressAlone = await runLoad({
    url: bridge.webhookUrl,
    durationS,
    connections: SATURATION_CONNECTIONS,
    headers: bridge.webhookHeaders,
    nextBody: () => updates.next(),
    onAcked: (body) => backlog.add(keyOf(body)),
  });
  acked.merge(backlog);
  console.log(`  ingress alone: ${ingressAlone.requestsPerS} req/s; draining ${backlog.size} acknowledged updates with ${dispatchers} dispatcher(s), ${sequencers} sequencer(s)`);
  await bridge.resumePipeline();
  const arrival = await bridge.waitForGenesys(backlog.messageIds(), `drain with ${dispatchers} dispatcher(s)`);
  const drainMs = Math.max(1, arrival.lastAtMs - arrival.firstAtMs);
  const delivered = backlog.size - arrival.missing;
  const cpuMsPerMessage = Object.fromEntries(
    processes.map((entry, index) => [entry.name, round((((cpuSeconds(entry.pid) ?? 0) - (cpuBefore[index] ?? 0)) * 1000) / Math.max(1, delivered))]),
  );
  return { dispatchers, sequencers, ingressAlone, backlog: backlog.size, drainMs, messagesPerS: delivered > 1 ? Math.round(((delivered - 1) * 1000) / drainMs) : 0, missing: arrival.missing, cpuMsPerMessage };
}
