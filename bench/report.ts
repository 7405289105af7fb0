import type { Baseline } from './baselines.js';
import type { DeliveryCheck } from './delivery-check.js';
import type { LoadResult } from './load-generator.js';
import type { AgentReplies } from './phases/agent-replies.js';
import type { DrainRound } from './phases/backlog-drain.js';
import type { Burst } from './phases/burst.js';
import type { EndToEnd } from './phases/end-to-end.js';

export interface Figures {
  machine: { cores: number };
  baselines: { bareFastify: Baseline; bareFastifyRedisWrite: Baseline };
  drains: DrainRound[];
  ingressWithPipeline: LoadResult;
  ratios: Record<string, number>;
  endToEnd: EndToEnd;
  burst: Burst;
  agentReplies: AgentReplies | undefined;
  delivery: DeliveryCheck;
  deliveryByPhase: Record<string, DeliveryCheck>;
  lateArrivals: number;
  peakRssMiB: Record<string, number | undefined>;
}

/** The measured figures, before the GOALS table judges them. */
export function printFigures(results: Figures): void {
  const row = (name: string, load: LoadResult) =>
    console.log(`${name.padEnd(44)} ${String(load.requestsPerS).padStart(7)} req/s   ack p50 ${String(load.ackP50Ms).padStart(4)} ms   p99 ${String(load.ackP99Ms).padStart(4)} ms   non-2xx ${load.non2xx}   errors ${load.errors}`);
  console.log('\n== results ==');
  row('bare Fastify, saturation', results.baselines.bareFastify.saturation);
  row('bare Fastify + Redis write, saturation', results.baselines.bareFastifyRedisWrite.saturation);
  for (const drain of results.drains) row(`ingress alone (before ${drain.dispatchers}-dispatcher drain)`, drain.ingressAlone);
  row('ingress with the pipeline running', results.ingressWithPipeline);
  row('ingress at 1,000/s (end-to-end phase)', results.endToEnd.load);
  console.log(`ratios: ${Object.entries(results.ratios).map(([name, value]) => `${name} ${value}`).join(', ')}`);
  for (const drain of results.drains) {
    console.log(`backlog drain with ${drain.dispatchers} dispatcher(s), ${drain.sequencers} sequencer(s): ${drain.backlog - drain.missing}/${drain.backlog} in ${drain.drainMs} ms = ${drain.messagesPerS} msg/s`);
    const perMessage = Object.entries(drain.cpuMsPerMessage);
    const totalMs = perMessage.reduce((sum, [, ms]) => sum + ms, 0);
    console.log(`  CPU ms per message: ${perMessage.map(([name, ms]) => `${name} ${ms}`).join(', ')}; total ${Math.round(totalMs * 100) / 100}`);
  }
  if (results.drains.length > 1 && results.machine.cores <= 2) {
    console.log(`  (${results.machine.cores} cores: expect little gain from more dispatchers — they share the cores with ingress, the sequencer, the emulators and the load generator; docs/performance.md)`);
  }
  const e2e = results.endToEnd;
  console.log(`end to end (webhook → Genesys), ${e2e.messages} messages: p50 ${e2e.p50Ms} ms, p95 ${e2e.p95Ms} ms, p99 ${e2e.p99Ms} ms`);
  console.log(`CPU cores used during it: ${Object.entries(e2e.cpuCoresUsed).map(([name, cores]) => `${name} ${cores}`).join(', ')}`);
  const b = results.burst;
  console.log(`burst: ${b.posts} posts (${b.unique} unique), ack p50 ${b.ackP50Ms} ms, p99 ${b.ackP99Ms} ms, non-2xx ${b.non2xx}, errors ${b.errors}`);
  const replies = results.agentReplies;
  console.log(replies ? `agent reply → Telegram, ${replies.replies} replies: p50 ${replies.p50Ms} ms, p99 ${replies.p99Ms} ms` : 'agent replies: not measured');
  const d = results.delivery;
  console.log(`delivery: ${d.delivered} at Genesys for ${d.expected} acknowledged, lost ${d.lost}, duplicates ${d.duplicates}, order violations ${d.orderViolations}`);
  console.log(`  the sequencer counted ${results.lateArrivals} late arrival(s): accepted after later messages of their chat had left (ingress slower than the window)`);
  for (const [phase, check] of Object.entries(results.deliveryByPhase)) {
    console.log(`  ${phase}: ${check.expected} acknowledged, lost ${check.lost}, duplicates ${check.duplicates}, order violations ${check.orderViolations}`);
  }
  console.log(`peak RSS (MiB): ${Object.entries(results.peakRssMiB).map(([name, mib]) => `${name} ${mib ?? '?'}`).join(', ')}`);
}
