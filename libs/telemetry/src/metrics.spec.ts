import { BridgeMetrics } from './metrics.js';

describe('BridgeMetrics', () => {
  it('exports processing_time_seconds with direction and channel labels (the Grafana dashboard depends on this name)', async () => {
    const metrics = new BridgeMetrics('test');
    metrics.processingTime.observe({ direction: 'inbound', channel: 'default' }, 0.25);
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE processing_time_seconds histogram');
    const bucket = text.split('\n').find((line) => line.startsWith('processing_time_seconds_bucket{') && line.includes('le="0.3"'));
    expect(bucket).toContain('direction="inbound"');
    expect(bucket).toContain('channel="default"');
    expect(bucket?.endsWith(' 1')).toBe(true);
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
