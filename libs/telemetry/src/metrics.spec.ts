import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { BridgeMetrics } from './metrics.js';

describe('BridgeMetrics', () => {
  it('exports processing_time_seconds with direction and channel labels (the Grafana dashboard depends on this name)', async () => {
    const metrics = new BridgeMetrics('test');
    metrics.observeProcessingTime({ direction: 'inbound', channel: 'default' }, 0.25);
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE processing_time_seconds histogram');
    const bucket = text.split('\n').find((line) => line.startsWith('processing_time_seconds_bucket{') && line.includes('le="0.3"'));
    expect(bucket).toContain('direction="inbound"');
    expect(bucket).toContain('channel="default"');
    // No active span (tracing off): a plain sample, no exemplar.
    expect(bucket?.endsWith(' 1')).toBe(true);
  });

  it('speaks OpenMetrics and puts the active trace id on the processing_time bucket as an exemplar', async () => {
    const metrics = new BridgeMetrics('test');
    expect(metrics.registry.contentType).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const span = trace.wrapSpanContext({ traceId, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
    // Inside a worker's job span (the default argument reads context.active()).
    metrics.observeProcessingTime({ direction: 'outbound', channel: 'default' }, 1.5, trace.setSpan(ROOT_CONTEXT, span));
    const text = await metrics.registry.metrics();
    const bucket = text.split('\n').find((line) => line.startsWith('processing_time_seconds_bucket{') && line.includes('le="2"'));
    expect(bucket).toMatch(new RegExp(`\\} 1 # \\{trace_id="${traceId}"\\} 1\\.5 \\d+(\\.\\d+)?$`));
    expect(text.trimEnd().endsWith('# EOF')).toBe(true);
    // Counters keep their _total sample names (OpenMetrics names the family without it).
    metrics.updates.inc({ outcome: 'accepted', reason: '' });
    expect(await metrics.registry.metrics()).toMatch(/^tgg_updates_total\{[^}]*outcome="accepted"[^}]*\} 1$/m);
  });

  it('reads queue depth from the snapshot source at scrape time', async () => {
    const metrics = new BridgeMetrics('test');
    metrics.queueSnapshot = async () => ({ depth: [{ queue: 'telegram-updates', state: 'waiting', count: 7 }], oldestAgeS: [{ queue: 'telegram-updates', state: 'waiting', ageS: 3 }, { queue: 'telegram-updates', state: 'delayed', ageS: 40 }] });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^tgg_queue_depth\{(?=[^}]*queue="telegram-updates")(?=[^}]*state="waiting")[^}]*\} 7$/m);
    expect(text).toMatch(/^tgg_queue_oldest_job_age_seconds\{(?=[^}]*queue="telegram-updates")(?=[^}]*state="waiting")[^}]*\} 3$/m);
    expect(text).toMatch(/^tgg_queue_oldest_job_age_seconds\{(?=[^}]*queue="telegram-updates")(?=[^}]*state="delayed")[^}]*\} 40$/m);
  });
});
