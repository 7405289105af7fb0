import type { InboundMessageRecord } from '@tgg/emulators';
import { parseBenchOptions } from './bench-options.js';
import { checkDelivery } from './delivery-check.js';
import { deliveryVerdict, evaluateGoals, type GoalInputs } from './goals.js';

/** Just what checkDelivery reads of a Genesys inbound record. */
const arrived = (...messageIds: string[]) => messageIds.map((messageId) => ({ body: { channel: { messageId } } }) as unknown as InboundMessageRecord);
const owed = (entries: Record<string, number[]>) => new Map(Object.entries(entries));

describe('bench verdict: the run fails on any loss, duplicate or order violation of what was acknowledged', () => {
  it('passes when every acknowledged update arrived once, in order per chat', () => {
    const delivery = checkDelivery(owed({ '7': [1, 2], '8': [1] }), arrived('7:1', '8:1', '7:2'));
    expect(delivery).toEqual({ expected: 3, delivered: 3, lost: 0, duplicates: 0, orderViolations: 0 });
    expect(deliveryVerdict(delivery)).toEqual({ exitCode: 0, problems: [] });
  });

  it('an update sent but never answered 2xx is not owed: its absence is no loss, its arrival no duplicate', () => {
    const delivery = checkDelivery(owed({ '7': [1, 3] }), arrived('7:1', '7:2', '7:3'));
    expect(deliveryVerdict(delivery).exitCode).toBe(0);
  });

  it.each([
    ['a lost message', owed({ '7': [1, 2] }), arrived('7:1'), '1 acknowledged update(s) lost'],
    ['a duplicate', owed({ '7': [1] }), arrived('7:1', '7:1'), '1 duplicate(s) at Genesys'],
    ['an order violation', owed({ '7': [1, 2] }), arrived('7:2', '7:1'), '1 per-chat order violation(s)'],
    ['nothing acknowledged at all', owed({}), arrived(), 'no update was acknowledged'],
  ])('exits 1 on %s', (_case, expected, inbound, problem) => {
    expect(deliveryVerdict(checkDelivery(expected, inbound))).toEqual({ exitCode: 1, problems: [problem] });
  });
});

describe('bench goals table', () => {
  const passing: GoalInputs = {
    windowMs: 300,
    drains: [{ dispatchers: 1, sequencers: 1, messagesPerS: 1500, backlog: 9000 }],
    endToEnd: { p50Ms: 350, p99Ms: 450 },
    burstAckP99Ms: 100,
    ingressAloneRatio: 0.5,
    ingressWithPipelineRatio: 0.2,
    peakRssMiB: { ingress: 199, dispatcher: 150 },
    agentReplyP99Ms: 50,
    delivery: { expected: 10, delivered: 10, lost: 0, duplicates: 0, orderViolations: 0 },
  };

  it('passes every goal exactly at its target', () => {
    expect(evaluateGoals(passing).filter((row) => !row.pass)).toEqual([]);
  });

  it.each<[string, Partial<GoalInputs>, RegExp]>([
    ['drain below 1,500 msg/s', { drains: [{ dispatchers: 2, sequencers: 1, messagesPerS: 1499, backlog: 9000 }] }, /^backlog drain.*2 dispatcher/],
    ['end to end p50 over window + 50', { endToEnd: { p50Ms: 351, p99Ms: 400 } }, /p50$/],
    ['end to end p99 over window + 150', { endToEnd: { p50Ms: 300, p99Ms: 451 } }, /p99$/],
    ['burst ack p99 over 100 ms', { burstAckP99Ms: 101 }, /^burst/],
    ['ingress alone under 0.5×', { ingressAloneRatio: 0.49 }, /^ingress alone/],
    ['ingress with pipeline under 0.2×', { ingressWithPipelineRatio: 0.19 }, /^ingress with the pipeline/],
    ['a process at 200 MiB', { peakRssMiB: { ingress: 120, 'dispatcher replica 1': 200 } }, /^peak RSS/],
    ['a process whose RSS could not be read', { peakRssMiB: { ingress: 120, dispatcher: undefined } }, /^peak RSS/],
    ['agent reply p99 over 50 ms', { agentReplyP99Ms: 51 }, /^agent reply/],
    ['agent replies not measured', { agentReplyP99Ms: undefined }, /^agent reply/],
    ['a measurement that is NaN', { endToEnd: { p50Ms: Number.NaN, p99Ms: 400 } }, /p50$/],
    ['a loss', { delivery: { expected: 10, delivered: 9, lost: 1, duplicates: 0, orderViolations: 0 } }, /^lost/],
  ])('fails exactly the row of %s', (_case, change, failing) => {
    const failed = evaluateGoals({ ...passing, ...change }).filter((row) => !row.pass);
    expect(failed.map((row) => row.goal)).toEqual([expect.stringMatching(failing)]);
  });
});

describe('bench options', () => {
  it('defaults to one dispatcher and one sequencer, 10 s per phase', () => {
    expect(parseBenchOptions([], {})).toEqual({ phaseS: 10, dispatcherRounds: [1], sequencers: 1 });
  });

  it('--replicas 1,2 drains once with each count, in that order', () => {
    expect(parseBenchOptions(['--replicas', '1,2', '--sequencers', '2'], { BENCH_PHASE_S: '3' })).toEqual({ phaseS: 3, dispatcherRounds: [1, 2], sequencers: 2 });
  });

  it.each([[['--replicas', '0']], [['--replicas', 'two']], [['--sequencers', '1.5']], [['--bogus']]])('refuses %j', (argv) => {
    expect(() => parseBenchOptions(argv, {})).toThrow();
  });
});

describe('bench delivery check of one phase', () => {
  it('judges only the chats that phase owes, so a problem of another phase is not counted twice', () => {
    const inbound = arrived('7:1', '7:1', '9:2', '9:1');
    expect(checkDelivery(owed({ '7': [1] }), inbound, true)).toEqual({ expected: 1, delivered: 1, lost: 0, duplicates: 1, orderViolations: 0 });
    expect(checkDelivery(owed({ '9': [1, 2] }), inbound, true)).toEqual({ expected: 2, delivered: 2, lost: 0, duplicates: 0, orderViolations: 1 });
  });
});
