import type { DeliveryCheck } from './delivery-check.js';

/** The goals of the "scale out and speed" issue, checked by every run (docs/performance.md). */
export const TARGETS = {
  drainMessagesPerS: 1500,
  e2eP50OverWindowMs: 50,
  e2eP99OverWindowMs: 150,
  burstAckP99Ms: 100,
  ingressAloneRatio: 0.5,
  ingressWithPipelineRatio: 0.2,
  peakRssMiB: 200,
  agentReplyP99Ms: 50,
} as const;

export interface GoalRow {
  goal: string;
  target: string;
  measured: string;
  pass: boolean;
}

/** What the goals are judged on; a missing measurement (NaN, undefined) never passes. */
export interface GoalInputs {
  windowMs: number;
  drains: { dispatchers: number; sequencers: number; messagesPerS: number; backlog: number }[];
  endToEnd: { p50Ms: number; p99Ms: number };
  burstAckP99Ms: number;
  ingressAloneRatio: number;
  ingressWithPipelineRatio: number;
  peakRssMiB: Record<string, number | undefined>;
  agentReplyP99Ms: number | undefined;
  delivery: DeliveryCheck;
}

const atMost = (measured: number | undefined, target: number) => measured !== undefined && Number.isFinite(measured) && measured <= target;
const atLeast = (measured: number | undefined, target: number) => measured !== undefined && Number.isFinite(measured) && measured >= target;
const shown = (value: number | undefined, unit = '') => (value === undefined || !Number.isFinite(value) ? 'not measured' : `${value}${unit}`);

export function evaluateGoals(inputs: GoalInputs): GoalRow[] {
  const rows: GoalRow[] = inputs.drains.map((drain) => ({
    goal: `backlog drain, webhook → Genesys (${drain.dispatchers} dispatcher(s), ${drain.sequencers} sequencer(s), ${drain.backlog} messages)`,
    target: `≥ ${TARGETS.drainMessagesPerS} msg/s`,
    measured: shown(drain.messagesPerS, ' msg/s'),
    pass: atLeast(drain.messagesPerS, TARGETS.drainMessagesPerS),
  }));
  const p50Target = inputs.windowMs + TARGETS.e2eP50OverWindowMs;
  const p99Target = inputs.windowMs + TARGETS.e2eP99OverWindowMs;
  const rss = Object.entries(inputs.peakRssMiB);
  const rssMeasured = rss.every(([, mib]) => mib !== undefined) && rss.length > 0;
  const [largestName, largest] = rss.reduce<[string, number]>((top, [name, mib]) => ((mib ?? -1) > top[1] ? [name, mib ?? -1] : top), ['', -1]);
  const { delivery } = inputs;
  rows.push(
    { goal: 'end to end at 1,000 msg/s over 500 chats, p50', target: `≤ ${p50Target} ms (window + ${TARGETS.e2eP50OverWindowMs})`, measured: shown(inputs.endToEnd.p50Ms, ' ms'), pass: atMost(inputs.endToEnd.p50Ms, p50Target) },
    { goal: 'end to end at 1,000 msg/s over 500 chats, p99', target: `≤ ${p99Target} ms (window + ${TARGETS.e2eP99OverWindowMs})`, measured: shown(inputs.endToEnd.p99Ms, ' ms'), pass: atMost(inputs.endToEnd.p99Ms, p99Target) },
    { goal: 'burst of 400 posts in 200 ms over 25 chats, ack p99', target: `≤ ${TARGETS.burstAckP99Ms} ms`, measured: shown(inputs.burstAckP99Ms, ' ms'), pass: atMost(inputs.burstAckP99Ms, TARGETS.burstAckP99Ms) },
    { goal: 'ingress alone (pipeline paused) / bare Fastify + Redis write', target: `≥ ${TARGETS.ingressAloneRatio}×`, measured: shown(inputs.ingressAloneRatio, '×'), pass: atLeast(inputs.ingressAloneRatio, TARGETS.ingressAloneRatio) },
    { goal: 'ingress with the pipeline running / bare Fastify + Redis write', target: `≥ ${TARGETS.ingressWithPipelineRatio}×`, measured: shown(inputs.ingressWithPipelineRatio, '×'), pass: atLeast(inputs.ingressWithPipelineRatio, TARGETS.ingressWithPipelineRatio) },
    { goal: 'peak RSS per service process', target: `< ${TARGETS.peakRssMiB} MiB`, measured: rssMeasured ? `${largest} MiB (largest: ${largestName})` : 'not measured', pass: rssMeasured && largest < TARGETS.peakRssMiB },
    { goal: 'agent reply → Telegram at 20/s, p99', target: `≤ ${TARGETS.agentReplyP99Ms} ms`, measured: shown(inputs.agentReplyP99Ms, ' ms'), pass: atMost(inputs.agentReplyP99Ms, TARGETS.agentReplyP99Ms) },
    ...deliveryRows(delivery),
  );
  return rows;
}

function deliveryRows(delivery: DeliveryCheck): GoalRow[] {
  return [
    { goal: `lost (of ${delivery.expected} acknowledged 2xx)`, target: '0', measured: String(delivery.lost), pass: delivery.lost === 0 && delivery.expected > 0 },
    { goal: 'duplicates at Genesys', target: '0', measured: String(delivery.duplicates), pass: delivery.duplicates === 0 },
    { goal: 'per-chat order violations', target: '0', measured: String(delivery.orderViolations), pass: delivery.orderViolations === 0 },
  ];
}

/**
 * The bench's exit status (SPEC §8): 1 when anything acknowledged was lost, duplicated or
 * reordered — or nothing was acknowledged at all, which proves nothing. Speed goals are printed
 * with pass/fail but do not fail the run: they depend on the machine and on what else runs on it.
 */
export function deliveryVerdict(delivery: DeliveryCheck): { exitCode: 0 | 1; problems: string[] } {
  const problems: string[] = [];
  if (delivery.expected === 0) problems.push('no update was acknowledged');
  if (delivery.lost > 0) problems.push(`${delivery.lost} acknowledged update(s) lost`);
  if (delivery.duplicates > 0) problems.push(`${delivery.duplicates} duplicate(s) at Genesys`);
  if (delivery.orderViolations > 0) problems.push(`${delivery.orderViolations} per-chat order violation(s)`);
  return { exitCode: problems.length > 0 ? 1 : 0, problems };
}

export function printGoals(rows: GoalRow[]): void {
  const width = Math.max(...rows.map((row) => row.goal.length));
  const targetWidth = Math.max(...rows.map((row) => row.target.length));
  const measuredWidth = Math.max(...rows.map((row) => row.measured.length));
  console.log('\n== GOALS ==');
  console.log(`${'goal'.padEnd(width)}  ${'target'.padEnd(targetWidth)}  ${'measured'.padEnd(measuredWidth)}  result`);
  for (const row of rows) console.log(`${row.goal.padEnd(width)}  ${row.target.padEnd(targetWidth)}  ${row.measured.padEnd(measuredWidth)}  ${row.pass ? 'PASS' : 'FAIL'}`);
}
