import { SATURATION_CONNECTIONS } from '../baselines.js';
import type { BenchBridge, PipelineSize } from '../bench-bridge.js';
import { runLoad, type LoadResult } from '../load-generator.js';
import { AckedUpdates, UpdateStream, keyOf } from '../updates.js';

export interface DrainRound extends PipelineSize {
  /** Ingress at saturation with the pipeline stopped: nothing else of the bridge uses the CPU. */
  ingressAlone: LoadResult;
  backlog: number;
  /** First to last arrival at Genesys of the backlog: the steady rate, without the services' start. */
  drainMs: number;
  messagesPerS: number;
  missing: number;
}

/**
 * With sequencers and dispatchers stopped, ingress alone takes a saturating load for `durationS`;
 * then the pipeline starts with `size` and drains that backlog end to end (webhook → Genesys).
 * Leaves the pipeline running.
 */
export async function drainRound(bridge: BenchBridge, size: PipelineSize, durationS: number, chatBase: number, acked: AckedUpdates): Promise<DrainRound> {
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
  console.log(`  ingress alone: ${ingressAlone.requestsPerS} req/s; draining ${backlog.size} acknowledged updates with ${size.dispatchers} dispatcher(s), ${size.sequencers} sequencer(s)`);
  await bridge.startPipeline(size);
  const arrival = await bridge.waitForGenesys(backlog.messageIds(), `drain with ${size.dispatchers} dispatcher(s)`);
  const drainMs = Math.max(1, arrival.lastAtMs - arrival.firstAtMs);
  const delivered = backlog.size - arrival.missing;
  return { ...size, ingressAlone, backlog: backlog.size, drainMs, messagesPerS: delivered > 1 ? Math.round(((delivered - 1) * 1000) / drainMs) : 0, missing: arrival.missing };
}
