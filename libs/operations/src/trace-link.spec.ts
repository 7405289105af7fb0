import { grafanaTraceUrl, traceIdOf } from './trace-link.js';

describe('trace links', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

  it('reads the trace id of a W3C traceparent carried in job data', () => {
    expect(traceIdOf({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).toBe(traceId);
  });

  it.each<Record<string, string> | undefined>([undefined, {}, { traceparent: 'garbage' }, { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` }, { traceparent: `00-${traceId.toUpperCase()}-00f067aa0ba902b7-01` }])(
    'finds no trace id in %j',
    (trace) => {
      expect(traceIdOf(trace)).toBeUndefined();
    },
  );

  it('opens Grafana Explore on the Tempo data source with the trace as the query', () => {
    const url = new URL(grafanaTraceUrl('http://grafana.local:3030', traceId));
    expect(`${url.origin}${url.pathname}`).toBe('http://grafana.local:3030/explore');
    const panes = JSON.parse(url.searchParams.get('panes') ?? '{}') as Record<string, { datasource: string; queries: { query: string; datasource: { uid: string } }[] }>;
    const pane = Object.values(panes)[0];
    expect(pane?.datasource).toBe('tempo');
    expect(pane?.queries[0]).toMatchObject({ query: traceId, datasource: { uid: 'tempo' } });
  });
});
