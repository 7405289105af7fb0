interface PendingWait<T> {
  readonly predicate: (entry: T) => boolean;
  readonly count: number;
  readonly matched: T[];
  /** Index of the next recorded entry this wait has not looked at yet. */
  scannedUpTo: number;
  readonly resolve: (matched: T[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class WaitTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Promises that resolve once enough recorded entries match a predicate, so tests await arrivals
 * instead of sleeping. Entries recorded before the wait started count too: the test cannot miss
 * a call that raced ahead of its `await`. Each wait scans only entries it has not seen yet.
 */
export class ArrivalWaiters<T> {
  private readonly pending = new Set<PendingWait<T>>();

  /** `recorded` is the live list the owner appends to; call `notify()` after each append. */
  constructor(
    private readonly recorded: readonly T[],
    private readonly describeEntries: string,
  ) {}

  waitFor(predicate: (entry: T) => boolean, count: number, timeoutMs: number): Promise<T[]> {
    return new Promise<T[]>((resolve, reject) => {
      const wait: PendingWait<T> = {
        predicate,
        count,
        matched: [],
        scannedUpTo: 0,
        resolve,
        reject,
        // Failsafe only: a healthy test resolves on arrival long before this fires.
        timer: setTimeout(() => {
          this.pending.delete(wait);
          reject(
            new WaitTimeoutError(
              `timed out after ${timeoutMs} ms waiting for ${count} matching ${this.describeEntries}; ` +
                `${wait.matched.length} matched of ${this.recorded.length} recorded`,
            ),
          );
        }, timeoutMs),
      };
      this.pending.add(wait);
      this.advance(wait);
    });
  }

  /** Re-checks every pending wait against entries recorded since it last looked. */
  notify(): void {
    for (const wait of [...this.pending]) this.advance(wait);
  }

  /** Fails every pending wait, e.g. when the emulator closes, so no test hangs until its timeout. */
  rejectAll(reason: string): void {
    for (const wait of [...this.pending]) {
      this.settle(wait);
      wait.reject(new Error(`${reason} while waiting for ${wait.count} matching ${this.describeEntries}`));
    }
  }

  /** Forgets progress after the owner cleared its recorded list. */
  resetScan(): void {
    for (const wait of this.pending) {
      wait.scannedUpTo = 0;
      wait.matched.length = 0;
    }
  }

  private advance(wait: PendingWait<T>): void {
    while (wait.scannedUpTo < this.recorded.length && wait.matched.length < wait.count) {
      // In range: the loop condition bounds the index (noUncheckedIndexedAccess cannot see that).
      const entry = this.recorded[wait.scannedUpTo] as T;
      wait.scannedUpTo += 1;
      let isMatch: boolean;
      try {
        isMatch = wait.predicate(entry);
      } catch (error) {
        // A throwing predicate is the test's bug: fail its wait, not the emulator's request.
        this.settle(wait);
        wait.reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (isMatch) wait.matched.push(entry);
    }
    if (wait.matched.length >= wait.count) {
      this.settle(wait);
      wait.resolve(wait.matched);
    }
  }

  private settle(wait: PendingWait<T>): void {
    clearTimeout(wait.timer);
    this.pending.delete(wait);
  }
}
