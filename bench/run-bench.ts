/**
 * `npm run bench [-- --replicas N[,N…] --sequencers N]`: the real services against the local
 * emulators, on loopback, with two bare Fastify baselines in the same run. Phases (bench/phases/):
 * a warm-up; ingress alone with the pipeline paused, then the drain of that backlog (once per dispatcher count
 * asked for); ingress at saturation with the pipeline running; end to end at 1,000 msg/s over 500
 * chats; a shuffled burst with duplicates; agent replies → Telegram. Only updates answered 2xx are
 * owed; the run exits 1 on any loss, duplicate or order violation among them. Prints the figures
 * and a GOALS table, writes bench/results/latest.json (docs/performance.md).
 */
import { baseDatabaseUrl } from '@tgg/testing';
import { measureBare } from './baselines.js';
import { BenchBridge, WINDOW_MS } from './bench-bridge.js';
import { createBenchDatabase } from './bench-database.js';
import { parseBenchOptions } from './bench-options.js';
import { checkDelivery } from './delivery-check.js';
import { deliveryVerdict, evaluateGoals, printGoals } from './goals.js';
import { peakRssMiB } from './peak-rss.js';
import { agentReplies } from './phases/agent-replies.js';
import { drainRound, type DrainRound } from './phases/backlog-drain.js';
import { burst } from './phases/burst.js';
import { E2E_CHATS, E2E_RATE, endToEnd } from './phases/end-to-end.js';
import { ingressWithPipeline } from './phases/ingress-running.js';
import { warmUp } from './phases/warm-up.js';
import { printFigures } from './report.js';
import { machineFacts, writeLatest } from './results-file.js';
import { round } from './stats.js';
import { AckedUpdates } from './updates.js';

/** Each phase its own range of chat ids, so no chat's order spans two phases. */
const CHAT_BASE = { warmUp: 1_500_000_000, drain: 2_000_000_000, ingressRunning: 3_000_000_000, endToEnd: 4_000_000_000, burst: 5_000_000_000 };

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2), process.env);
  const machine = machineFacts();
  const lastDispatchers = options.dispatcherRounds.at(-1) ?? 1;
  console.log(`benchmark: ${machine.cores} core(s), Node ${machine.node}, commit ${machine.commit.slice(0, 12)}, ${options.phaseS} s per phase, dispatchers ${options.dispatcherRounds.join(' then ')}, sequencers ${options.sequencers}`);

  console.log('▶ baselines: bare Fastify (200) and bare Fastify + one Redis write, at saturation');
  const baselines = { bareFastify: await measureBare('plain', options.phaseS), bareFastifyRedisWrite: await measureBare('redis', options.phaseS) };

  const bridge = await BenchBridge.start(await createBenchDatabase(baseDatabaseUrl()), options.sequencers);
  try {
    // What each phase's updates the bridge acknowledged: judged per phase and all together.
    const owed = new Map<string, AckedUpdates>();
    const owedBy = (phase: string): AckedUpdates => {
      const updates = new AckedUpdates();
      owed.set(phase, updates);
      return updates;
    };
    console.log('▶ warm-up: 300 updates/s through the whole pipeline (not measured)');
    await warmUp(bridge, Math.min(3, options.phaseS), CHAT_BASE.warmUp, owedBy('warm-up'));
    const drains: DrainRound[] = [];
    for (const [roundIndex, dispatchers] of options.dispatcherRounds.entries()) {
      console.log(`▶ ingress alone (pipeline paused) at saturation, then drain with ${dispatchers} dispatcher(s)`);
      drains.push(await drainRound(bridge, dispatchers, options.sequencers, options.phaseS, CHAT_BASE.drain + roundIndex * 100_000, owedBy(`drain with ${dispatchers} dispatcher(s)`)));
    }
    console.log('▶ ingress at saturation with the pipeline running');
    const ingressRunning = await ingressWithPipeline(bridge, options.phaseS, CHAT_BASE.ingressRunning, owedBy('ingress with the pipeline running'));
    console.log(`▶ end to end at ${E2E_RATE} messages/s over ${E2E_CHATS} chats`);
    const e2e = await endToEnd(bridge, options.phaseS, CHAT_BASE.endToEnd, owedBy('end to end'));
    console.log('▶ burst: 400 posts in 200 ms over 25 chats, shuffled, 20 % duplicates');
    const burstResult = await burst(bridge, CHAT_BASE.burst, owedBy('burst'));
    console.log(bridge.withOutbound ? '▶ agent replies → Telegram (200 replies to 200 chats at 20/s)' : '▶ agent replies skipped: no outbound service built');
    const replies = await agentReplies(bridge, Array.from({ length: 200 }, (_, index) => String(CHAT_BASE.endToEnd + index)));

    const peakRss = Object.fromEntries(bridge.processes().map((entry) => [entry.name, peakRssMiB(entry.pid)]));
    const inbound = bridge.harness.genesys.inbound;
    const all = new AckedUpdates();
    for (const phase of owed.values()) all.merge(phase);
    const delivery = checkDelivery(all.toExpected(), inbound);
    const lateArrivals = await bridge.lateArrivals();
    const deliveryByPhase = Object.fromEntries([...owed].map(([phase, updates]) => [phase, checkDelivery(updates.toExpected(), inbound, true)]));
    const redisSaturation = baselines.bareFastifyRedisWrite.saturation.requestsPerS;
    const ratios = {
      ingressAloneToBareFastifyRedis: round((drains[0]?.ingressAlone.requestsPerS ?? Number.NaN) / redisSaturation),
      ingressWithPipelineToBareFastifyRedis: round(ingressRunning.requestsPerS / redisSaturation),
      ingressWithPipelineToBareFastify: round(ingressRunning.requestsPerS / baselines.bareFastify.saturation.requestsPerS),
    };
    const goals = evaluateGoals({
      windowMs: WINDOW_MS,
      drains,
      endToEnd: e2e,
      burstAckP99Ms: burstResult.ackP99Ms,
      ingressAloneRatio: ratios.ingressAloneToBareFastifyRedis,
      ingressWithPipelineRatio: ratios.ingressWithPipelineToBareFastifyRedis,
      peakRssMiB: peakRss,
      agentReplyP99Ms: replies?.p99Ms,
      delivery,
    });
    const verdict = deliveryVerdict(delivery);
    const results = {
      at: new Date().toISOString(),
      machine,
      options: { phaseSeconds: options.phaseS, dispatcherRounds: options.dispatcherRounds, dispatchers: lastDispatchers, sequencers: options.sequencers, windowMs: WINDOW_MS },
      baselines,
      drains,
      ingressWithPipeline: ingressRunning,
      ratios,
      endToEnd: { offeredPerS: E2E_RATE, chats: E2E_CHATS, ...e2e },
      burst: burstResult,
      agentReplies: replies,
      delivery,
      deliveryByPhase,
      lateArrivals,
      peakRssMiB: peakRss,
      goals,
      verdict,
    };
    printFigures(results);
    printGoals(goals);
    writeLatest(results);
    if (verdict.exitCode !== 0) console.error(`✗ delivery check failed: ${verdict.problems.join('; ')}`);
    return verdict.exitCode;
  } finally {
    await bridge.stop();
  }
}

await main().then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    console.error(`benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
