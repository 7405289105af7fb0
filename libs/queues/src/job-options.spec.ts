import fc from 'fast-check';
import { PermanentError, RetryableError } from '@tgg/contracts';
import { REPLAYED_AT_FIELD, UNBOUNDED_ATTEMPTS, bridgeBackoffMs, defaultJobOptions, failureVerdict, horizonStartMs } from './job-options.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

describe('bridgeBackoffMs', () => {
  it('never waits longer than the cap, however many attempts were made', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1000, max: 3_600_000 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attemptsMade, capMs, random) => {
        const delayMs = bridgeBackoffMs(attemptsMade, new Error('connection refused'), capMs, () => random);
        expect(delayMs).toBeGreaterThanOrEqual(100);
        expect(delayMs).toBeLessThanOrEqual(capMs);
      }),
    );
  });

  it('grows exponentially until the cap (full jitter: the top of the range)', () => {
    const top = (attemptsMade: number) => bridgeBackoffMs(attemptsMade, new Error('503'), 30_000, () => 0.999999);
    expect(top(1)).toBe(499);
    expect(top(2)).toBe(999);
    expect(top(6)).toBe(15_999);
    expect(top(7)).toBe(29_999);
    expect(top(500)).toBe(29_999);
  });

  it("honours a peer's Retry-After even above the cap, bounded to an hour", () => {
    expect(bridgeBackoffMs(1, new RetryableError('429', 'telegram_429', 45_000), 30_000, () => 0)).toBe(45_000);
    expect(bridgeBackoffMs(1, new RetryableError('429', 'genesys_429', 10 * DAY_MS), 30_000, () => 0)).toBe(HOUR_MS);
  });
});

describe('failureVerdict', () => {
  it('dead-letters a permanent error at once, with its code', () => {
    expect(failureVerdict(new PermanentError('Genesys answered 400', 'genesys_400'), 1000, DAY_MS)).toEqual({ final: true, code: 'genesys_400', reason: 'Genesys answered 400' });
  });

  it('retries a transient error, a foreign error and a persisting 401 for as long as the message is younger than the horizon', () => {
    for (const error of [new RetryableError('Genesys answered 503', 'genesys_503'), new Error('Can\'t reach database server'), new RetryableError('answered 401 twice', 'genesys_unauthorized')]) {
      expect(failureVerdict(error, DAY_MS - 1, DAY_MS)).toEqual({ final: false });
    }
  });

  it('dead-letters at the horizon with a reason that names the last error', () => {
    const verdict = failureVerdict(new RetryableError('Genesys answered 503', 'genesys_503'), DAY_MS, DAY_MS);
    expect(verdict).toEqual({ final: true, code: 'delivery_horizon', reason: 'still failing after 86400 s (horizon 86400 s); last error genesys_503: Genesys answered 503' });
  });
});

describe('horizonStartMs', () => {
  it('starts at receivedAtMs, at a later replay, or at the job creation when the data has neither', () => {
    expect(horizonStartMs({ receivedAtMs: 5000 }, 9000)).toBe(5000);
    expect(horizonStartMs({ receivedAtMs: 5000, [REPLAYED_AT_FIELD]: 7000 }, 9000)).toBe(7000);
    expect(horizonStartMs({ receivedAtMs: 5000, [REPLAYED_AT_FIELD]: 'soon' }, 9000)).toBe(5000);
    expect(horizonStartMs({ receivedAtMs: '5000' }, 9000)).toBe(9000);
    expect(horizonStartMs(null, 9000)).toBe(9000);
  });
});

describe('defaultJobOptions', () => {
  it('leaves the end of retries to the horizon and keeps only the newest dead letters', () => {
    expect(defaultJobOptions(10_000)).toMatchObject({ attempts: UNBOUNDED_ATTEMPTS, removeOnFail: { count: 10_000 } });
  });
});
