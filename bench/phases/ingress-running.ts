import { SATURATION_CONNECTIONS } from '../baselines.js';
import type { BenchBridge } from '../bench-bridge.js';
import { runLoad, type LoadResult } from '../load-generator.js';
import { AckedUpdates, UpdateStream, keyOf } from '../updates.js';

/**
 * Ingress at saturation while sequencer and dispatcher consume what it takes (they share the
 * machine); then waits until that backlog reached Genesys, so the next phase starts from empty queues.
 */
export async function ingressWithPipeline(bridge: BenchBridge, durationS: number, chatBase: number, acked: AckedUpdates): Promise<LoadResult> {
  const updates = new UpdateStream(chatBase, 500);
  const phase = new AckedUpdates();
  const load = await runLoad({
    url: bridge.webhookUrl,
    durationS,
    connections: SATURATION_CONNECTIONS,
    headers: bridge.webhookHeaders,
    nextBody: () => updates.next(),
    onAcked: (body) => phase.add(keyOf(body)),
  });
  acked.merge(phase);
  await bridge.waitForGenesys(phase.messageIds(), 'backlog of ingress at saturation');
  return load;
}
