/** Key that matches every route or method. */
export const ANY_ROUTE = '*';

interface ScheduledFault<TContext, TFault> {
  readonly routeKey: string;
  remaining: number;
  readonly fault: TFault;
  readonly appliesTo: (context: TContext) => boolean;
}

/**
 * Faults scripted by a test ("the next 2 sendMessage calls to chat 7 answer 429"), consumed in
 * the order they were added. Each fault fires `times` times on matching requests, then is gone.
 */
export class FaultSchedule<TContext, TFault> {
  private readonly scheduled: ScheduledFault<TContext, TFault>[] = [];

  add(routeKey: string, times: number, fault: TFault, appliesTo: (context: TContext) => boolean = () => true): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`times must be a positive integer, got ${times}`);
    this.scheduled.push({ routeKey, remaining: times, fault, appliesTo });
  }

  /** The fault for this request, if any is scheduled, counting it as used. */
  take(routeKey: string, context: TContext): TFault | undefined {
    const index = this.scheduled.findIndex(
      (entry) => (entry.routeKey === routeKey || entry.routeKey === ANY_ROUTE) && entry.appliesTo(context),
    );
    const entry = this.scheduled[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.scheduled.splice(index, 1);
    return entry.fault;
  }

  clear(): void {
    this.scheduled.length = 0;
  }
}
