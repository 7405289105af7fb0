import type { TraceCarrier } from '@tgg/contracts';

/** W3C traceparent: version-traceid-parentid-flags (https://www.w3.org/TR/trace-context/#traceparent-header). */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const INVALID_TRACE_ID = '0'.repeat(32);

/** The trace id a job's data carries (libs/telemetry injects `traceparent` into `trace`), if any. */
export function traceIdOf(trace: TraceCarrier | undefined): string | undefined {
  const match = TRACEPARENT.exec(trace?.['traceparent'] ?? '');
  const traceId = match?.[1];
  return traceId === undefined || traceId === INVALID_TRACE_ID ? undefined : traceId;
}

/** Grafana Explore on the Tempo data source (uid `tempo`, as deploy/observability provisions it) with the trace open. */
export function grafanaTraceUrl(grafanaUrl: string, traceId: string, datasource = 'tempo'): string {
  const pane = { datasource, queries: [{ refId: 'A', datasource: { type: 'tempo', uid: datasource }, queryType: 'traceql', query: traceId }], range: { from: 'now-7d', to: 'now' } };
  return `${grafanaUrl}/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify({ trace: pane }))}`;
}
