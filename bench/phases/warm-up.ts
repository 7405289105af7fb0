import type { BenchBridge } from '../bench-bridge.js';
import { runLoad } from '../load-generator.js';
import { AckedUpdates, UpdateStream, keyOf } from '../updates.js';

/**
 * A short load through the whole pipeline before anything is measured: the first seconds of a Node
 * process (JIT, Prisma's query compiler, connection pools) would otherwise count against whichever
 * phase comes first. Its updates are owed like any other.
 */
export async function warmUp(bridge: BenchBridge, durationS: number, chatBase: number, acked: AckedUpdates): Promise<void> {
  const updates = new UpdateStream(chatBase, 500);
  const phase = new AckedUpdates();
  await runLoad({ url: bridge.webhookUrl, durationS, connections: 16, overallRate: 300, headers: bridge.webhookHeaders, nextBody: () => updates.next(), onAcked: (body) => phase.add(keyOf(body)) });
  acked.merge(phase);
  await bridge.waitForGenesys(phase.messageIds(), 'warm-up');
}
