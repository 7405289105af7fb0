import { execFileSync } from 'node:child_process';
import { BridgeMetrics } from '@tgg/telemetry';
import { arrayAt, at, existsInRepo, readRepoFile, readYaml, repoPath, stringAt } from './testing/index.js';

/**
 * The alert rules are checked by Prometheus' own tool: `promtool check rules` (syntax, PromQL,
 * templates) and `promtool test rules` (alerts.test.yml: each alert fires on its failure and stays
 * quiet otherwise). Debian's `prometheus` package ships promtool; .ci/run installs it when missing.
 */
function promtool(...args: string[]): string {
  try {
    return execFileSync('promtool', args, { cwd: repoPath(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as { code?: string; stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') throw new Error('deploy/alerts.spec.ts needs `promtool` on PATH (Debian: apt-get install prometheus; .ci/run does this)');
    throw new Error(`promtool ${args.join(' ')} failed:\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
  }
}

const RULES_FILE = 'deploy/observability/alerts.yml';
const rules = arrayAt(readYaml(RULES_FILE), 'groups').flatMap((group) => arrayAt(group, 'rules'));
const alerts = rules.filter((rule) => stringAt(rule, 'alert') !== undefined);

/** What the operator asked to be paged for (issue 11, item 6), by alert name. */
const REQUIRED = {
  TggDeadLettersRising: /tgg_dead_letters_total/,
  TggOldestJobTooOld: /tgg_queue_oldest_job_age_seconds\{state="waiting"\}[\s\S]*tgg_queue_oldest_job_age_seconds\{state="delayed"\}/,
  TggDependencyDown: /bridge_dependency_up/,
  TggTokenRejected: /status="401"/,
  TggWebhookRejections: /reason=~"bad_secret\|unavailable"[\s\S]*reason=~"bad_signature\|unavailable"/,
  TggRedisMemoryNearMax: /tgg_redis_memory_used_bytes[\s\S]*tgg_redis_maxmemory_bytes/,
  TggProcessingTimeP99High: /histogram_quantile\(0\.99, sum by \(le, direction\) \(rate\(processing_time_seconds_bucket/,
} as const;


describe('alert rules (deploy/observability/alerts.yml)', () => {
  it('pass `promtool check rules`', () => {
    expect(promtool('check', 'rules', RULES_FILE)).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('pass their unit tests (`promtool test rules`)', () => {
    expect(promtool('test', 'rules', 'deploy/observability/alerts.test.yml')).toMatch(/SUCCESS/);
  });

  it.each(Object.entries(REQUIRED))('include %s on the right series', (name, pattern) => {
    const alert = alerts.find((rule) => stringAt(rule, 'alert') === name);
    expect(alert).toBeDefined();
    expect(stringAt(alert, 'expr')).toMatch(pattern);
    expect(['warning', 'critical']).toContain(stringAt(alert, 'labels', 'severity'));
    expect(stringAt(alert, 'annotations', 'summary')).toEqual(expect.any(String));
  });

  it('each have a unit test where they fire', () => {
    const tests = arrayAt(readYaml('deploy/observability/alerts.test.yml'), 'tests').flatMap((test) => arrayAt(test, 'alert_rule_test'));
    const firing = new Set(tests.filter((test) => arrayAt(test, 'exp_alerts').length > 0).map((test) => stringAt(test, 'alertname')));
    expect(alerts.map((alert) => stringAt(alert, 'alert')).filter((name) => !firing.has(name))).toEqual([]);
  });

  it('each link a runbook in docs/runbooks/ that says what it means, how to confirm and how to fix', () => {
    for (const alert of alerts) {
      const name = stringAt(alert, 'alert');
      const runbook = stringAt(alert, 'annotations', 'runbook_url') ?? '';
      expect({ name, runbook }).toEqual({ name, runbook: expect.stringMatching(/^docs\/runbooks\/[a-z0-9-]+\.md$/) });
      expect({ name, exists: existsInRepo(runbook) }).toEqual({ name, exists: true });
      const text = readRepoFile(runbook);
      expect(text).toContain(`\`${name ?? ''}\``);
      for (const section of ['## What it means', '## How to confirm', '## How to fix']) expect({ runbook, section: text.includes(`\n${section}\n`) }).toEqual({ runbook, section: true });
    }
  });

  it('only use metrics the bridge exports', () => {
    const defined = new Set(new BridgeMetrics('alerts-spec').registry.getMetricsAsArray().map((metric) => metric.name));
    const used = new Set(rules.flatMap((rule) => [...(stringAt(rule, 'expr') ?? '').matchAll(/\b((?:tgg|bridge)_[a-z_]+|processing_time_seconds[a-z_]*)\b/g)].map((match) => match[1] ?? '')));
    const unknown = [...used].filter((name) => !defined.has(name.replace(/_(bucket|count|sum)$/, '')));
    expect(unknown).toEqual([]);
  });
});

describe('compose Prometheus', () => {
  it('loads the rule file from where compose mounts it', () => {
    const ruleFiles = arrayAt(readYaml('deploy/observability/prometheus.yml'), 'rule_files').map(String);
    const mounts = arrayAt(at(readYaml('docker-compose.yml'), 'services', 'prometheus'), 'volumes').map(String);
    const mounted = mounts.find((mount) => mount.startsWith(`./${RULES_FILE}:`));
    expect(mounted).toBeDefined();
    expect(ruleFiles).toContain(mounted?.split(':')[1]);
  });
});
