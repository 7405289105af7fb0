import { context, trace, type Context } from '@opentelemetry/api';

/**
 * `trace_id` and `span_id` of the active span, for every log line written inside one (a webhook
 * request, a job), so a log line leads to its trace in Tempo. Empty when tracing is off: without
 * the SDK there is no context manager, so no span is ever active.
 */
export function traceFields(active: Context = context.active()): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getSpanContext(active);
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
