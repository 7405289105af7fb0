import { ArrivalWaiters, WaitTimeoutError } from './arrival-waiters.js';

describe('ArrivalWaiters', () => {
  let recorded: number[];
  let waiters: ArrivalWaiters<number>;

  function record(value: number): void {
    recorded.push(value);
    waiters.notify();
  }

  beforeEach(() => {
    recorded = [];
    waiters = new ArrivalWaiters(recorded, 'numbers');
  });

  it('resolves at once from entries recorded before the wait', async () => {
    record(1);
    record(2);
    await expect(waiters.waitFor((n) => n > 0, 2, 1_000)).resolves.toEqual([1, 2]);
  });

  it('resolves with the first matching entries once enough have arrived', async () => {
    record(2);
    const evens = waiters.waitFor((n) => n % 2 === 0, 2, 1_000);
    record(3);
    record(4);
    record(6);
    await expect(evens).resolves.toEqual([2, 4]);
  });

  it('rejects with a WaitTimeoutError naming what it waited for', async () => {
    record(1);
    const never = waiters.waitFor((n) => n > 10, 1, 20);
    await expect(never).rejects.toBeInstanceOf(WaitTimeoutError);
    await expect(never).rejects.toThrow('waiting for 1 matching numbers; 0 matched of 1 recorded');
  });

  it('fails a wait whose predicate throws instead of the recording side', async () => {
    const broken = waiters.waitFor(() => {
      throw new Error('bad predicate');
    }, 1, 1_000);
    expect(() => record(1)).not.toThrow();
    await expect(broken).rejects.toThrow('bad predicate');
  });

  it('rejects pending waits when the owner closes', async () => {
    const pending = waiters.waitFor(() => true, 1, 1_000);
    waiters.rejectAll('emulator closed');
    await expect(pending).rejects.toThrow('emulator closed while waiting for 1 matching numbers');
  });

  it('rescans from the start after the owner clears its list', async () => {
    record(1);
    const pending = waiters.waitFor((n) => n === 1, 2, 1_000);
    recorded.length = 0;
    waiters.resetScan();
    record(1);
    record(1);
    await expect(pending).resolves.toEqual([1, 1]);
  });
});
