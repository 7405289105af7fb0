import { context, propagation, trace, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';

export const tracer = trace.getTracer('tgg');

/** W3C trace context of the active span, to put in job data (empty when tracing is off). */
export function injectTraceCarrier(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * Runs `work` inside a span that continues the trace carried by a job, so one trace follows a
 * message across services. Records errors on the span and rethrows them.
 */
export async function inSpanFromCarrier<T>(name: string, carrier: Record<string, string>, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = propagation.extract(context.active(), carrier);
  return tracer.startActiveSpan(name, { attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
