import { loadConfig } from '@tgg/config';
import { lockTimings } from './bridge-worker.js';

describe('lockTimings', () => {
  it('takes a dead worker\'s jobs up within 10 s with the default WORKER_LOCK_MS, renewing locks four times per lock', () => {
    const timings = lockTimings(loadConfig({}).workers.lockDurationMs);
    expect(timings.lockDuration + timings.stalledInterval).toBeLessThanOrEqual(10_000);
    expect(timings.lockRenewTime * 4).toBeLessThanOrEqual(timings.lockDuration);
  });
});
