import { acceptsOpenMetrics, openMetricsToPrometheusText } from './prometheus-text.js';

const OPEN_METRICS = [
  '# HELP tgg_updates Updates by outcome',
  '# TYPE tgg_updates counter',
  'tgg_updates_total{outcome="accepted"} 3',
  '# HELP processing_time_seconds Webhook received to peer accepted',
  '# TYPE processing_time_seconds histogram',
  'processing_time_seconds_bucket{le="0.1",direction="inbound"} 1 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 0.05 1796527015.927',
  'processing_time_seconds_bucket{le="+Inf",direction="inbound"} 1',
  'processing_time_seconds_sum{direction="inbound"} 0.05',
  'processing_time_seconds_count{direction="inbound"} 1',
  '# EOF',
  '',
].join('\n');

describe('openMetricsToPrometheusText', () => {
  it('renames counter families back to their _total names, drops exemplars and # EOF, keeps every sample', () => {
    expect(openMetricsToPrometheusText(OPEN_METRICS)).toBe(
      [
        '# HELP tgg_updates_total Updates by outcome',
        '# TYPE tgg_updates_total counter',
        'tgg_updates_total{outcome="accepted"} 3',
        '# HELP processing_time_seconds Webhook received to peer accepted',
        '# TYPE processing_time_seconds histogram',
        'processing_time_seconds_bucket{le="0.1",direction="inbound"} 1',
        'processing_time_seconds_bucket{le="+Inf",direction="inbound"} 1',
        'processing_time_seconds_sum{direction="inbound"} 0.05',
        'processing_time_seconds_count{direction="inbound"} 1',
        '',
      ].join('\n'),
    );
  });

  it('tells an OpenMetrics scrape from any other client', () => {
    expect(acceptsOpenMetrics('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1')).toBe(true);
    expect(acceptsOpenMetrics('text/plain')).toBe(false);
    expect(acceptsOpenMetrics('*/*')).toBe(false);
    expect(acceptsOpenMetrics(undefined)).toBe(false);
  });
});
