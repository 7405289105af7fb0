import { BridgeMetrics } from '@tgg/telemetry';
import { DependencyMonitor } from './dependency-monitor.js';
import type { DependencySource, DependencyStatus } from './dependency-source.js';

/** A source whose statuses the test sets, as the outbound poller's cache would hold them. */
function settableSource(name: string, initial: DependencyStatus[]): DependencySource & { set(next: DependencyStatus[]): void } {
  let current = initial;
  return { name, statuses: async () => current, set: (next) => (current = next) };
}

async function gaugeLines(metrics: BridgeMetrics): Promise<string[]> {
  return (await metrics.registry.metrics()).split('\n').filter((line) => line.startsWith('bridge_dependency_up{'));
}

describe('DependencyMonitor', () => {
  it('mirrors statuses into bridge_dependency_up, without a series while unknown, and drops a removed channel\'s series', async () => {
    const metrics = new BridgeMetrics('outbound');
    const bots = settableSource('telegram', [
      { dependency: 'telegram-getme', channel: 'support', state: 'down', detail: 'Telegram getMe: 401 Unauthorized' },
      { dependency: 'telegram-getme', channel: 'sales', state: 'up' },
      { dependency: 'telegram-getme', channel: 'new', state: 'unknown', detail: 'not checked yet' },
    ]);
    const monitor = new DependencyMonitor([settableSource('postgres', [{ dependency: 'postgres', state: 'up' }]), bots], metrics);

    await monitor.refresh();
    expect(await gaugeLines(metrics)).toEqual([
      'bridge_dependency_up{dependency="postgres",channel="",service="outbound"} 1',
      'bridge_dependency_up{dependency="telegram-getme",channel="support",service="outbound"} 0',
      'bridge_dependency_up{dependency="telegram-getme",channel="sales",service="outbound"} 1',
    ]);

    bots.set([{ dependency: 'telegram-getme', channel: 'sales', state: 'up' }]);
    await monitor.refresh();
    expect(await gaugeLines(metrics)).toEqual([
      'bridge_dependency_up{dependency="postgres",channel="",service="outbound"} 1',
      'bridge_dependency_up{dependency="telegram-getme",channel="sales",service="outbound"} 1',
    ]);
  });

  it('reports a failing source as down with a redacted one-line detail, and answers from the cached snapshot', async () => {
    const metrics = new BridgeMetrics('ingress');
    let calls = 0;
    const failing: DependencySource = {
      name: 'postgres',
      statuses: async () => {
        calls += 1;
        throw new Error('connect to postgresql://bridge:s3cret@db:5432/tgg refused\nstack…');
      },
    };
    const monitor = new DependencyMonitor([failing], metrics);
    const report = await monitor.report();
    expect(report.status).toBe('degraded');
    expect(report.dependencies).toEqual({ postgres: { status: 'down', detail: 'connect to postgresql://***@db:5432/tgg refused' } });
    await monitor.report();
    expect(calls).toBe(1);
    expect(await gaugeLines(metrics)).toEqual(['bridge_dependency_up{dependency="postgres",channel="",service="ingress"} 0']);
  });
});
