import {
  APPS,
  arrayAt,
  at,
  isRecord,
  readRepoFile,
  readYaml,
  recordAt,
  stringAt,
} from './testing/index.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource: unknown;
  targets: unknown[];
  gridPos: unknown;
}

/** Every panel, including those nested in collapsed rows. */
function panelsOf(dashboard: unknown): Panel[] {
  const panels: Panel[] = [];
  const visit = (list: unknown[]) => {
    for (const panel of list) {
      panels.push({
        id: Number(at(panel, 'id')),
        type: String(at(panel, 'type')),
        title: String(at(panel, 'title')),
        datasource: at(panel, 'datasource'),
        targets: arrayAt(panel, 'targets'),
        gridPos: at(panel, 'gridPos'),
      });
      visit(arrayAt(panel, 'panels'));
    }
  };
  visit(arrayAt(dashboard, 'panels'));
  return panels;
}

const normalise = (expr: string) => expr.replace(/\s+/g, ' ');

const dashboard: unknown = JSON.parse(readRepoFile('deploy/observability/grafana/dashboards/telegram-genesys.json'));
const panels = panelsOf(dashboard);
const expressions = panels.flatMap((panel) => panel.targets.map((target) => normalise(stringAt(target, 'expr') ?? ''))).filter(Boolean);
const datasources = arrayAt(readYaml('deploy/observability/grafana/provisioning/datasources/datasources.yaml'), 'datasources');
const datasourceByType = (type: string) => datasources.find((datasource) => at(datasource, 'type') === type);

describe('Grafana dashboard "Telegram ↔ Genesys"', () => {
  it('is a titled dashboard with unique panel ids, each placed on the grid', () => {
    expect(at(dashboard, 'title')).toBe('Telegram ↔ Genesys');
    expect(at(dashboard, 'uid')).toEqual(expect.any(String));
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      expect(recordAt(panel, 'gridPos')).toEqual(expect.objectContaining({ h: expect.any(Number), w: expect.any(Number), x: expect.any(Number), y: expect.any(Number) }));
    }
  });

  it.each([
    ['p50', /histogram_quantile\(0\.50?, sum by \(le, direction\) \(rate\(processing_time_seconds_bucket\{/],
    ['p95', /histogram_quantile\(0\.95, sum by \(le, direction\) \(rate\(processing_time_seconds_bucket\{/],
    ['p99', /histogram_quantile\(0\.99, sum by \(le, direction\) \(rate\(processing_time_seconds_bucket\{/],
  ])('plots processing_time %s per direction from the histogram buckets', (_quantile, pattern) => {
    const matching = expressions.filter((expr) => pattern.test(expr));
    // One query per direction (inbound and outbound), each keeping `direction` in the grouping.
    expect(matching.some((expr) => expr.includes('direction="inbound"'))).toBe(true);
    expect(matching.some((expr) => expr.includes('direction="outbound"'))).toBe(true);
  });

  it.each([
    ['throughput', /rate\(processing_time_seconds_count/],
    ['updates by outcome', /sum by \(outcome\) \(rate\(tgg_updates_total\[/],
    ['errors and rejections', /tgg_updates_total\{outcome=~"[^"]*rejected[^"]*"\}/],
    ['replies by outcome', /tgg_replies_total/],
    ['dead letters', /tgg_dead_letters_total/],
    ['queue depth', /tgg_queue_depth/],
    ['oldest job age', /tgg_queue_oldest_job_age_seconds/],
    ['Genesys call latency', /histogram_quantile\(0\.95, sum by \(le, route\) \(rate\(tgg_genesys_request_duration_seconds_bucket/],
    ['Telegram call latency', /histogram_quantile\(0\.95, sum by \(le, method\) \(rate\(tgg_telegram_request_duration_seconds_bucket/],
  ])('shows %s', (_what, pattern) => {
    expect(expressions.filter((expr) => pattern.test(expr))).not.toHaveLength(0);
  });

  it('searches traces in Tempo, including by the processing_time_ms span attribute', () => {
    const tempoUid = stringAt(datasourceByType('tempo'), 'uid');
    const tracePanels = panels.filter((panel) => stringAt(panel.datasource, 'uid') === tempoUid);
    expect(tracePanels).not.toHaveLength(0);
    const queries = tracePanels.flatMap((panel) => panel.targets.map((target) => stringAt(target, 'query') ?? ''));
    expect(queries.some((query) => query.includes('resource.service.name'))).toBe(true);
    expect(queries.some((query) => query.includes('span.processing_time_ms'))).toBe(true);
  });

  it('only uses provisioned datasources', () => {
    const provisioned = new Set(datasources.map((datasource) => stringAt(datasource, 'uid')));
    const used = panels.flatMap((panel) => [panel.datasource, ...panel.targets.map((target) => at(target, 'datasource'))]);
    for (const datasource of used.filter(isRecord)) expect(provisioned).toContain(stringAt(datasource, 'uid'));
    for (const variable of arrayAt(dashboard, 'templating', 'list')) expect(provisioned).toContain(stringAt(variable, 'datasource', 'uid'));
  });
});

describe('Grafana provisioning', () => {
  it('provisions Prometheus (default) and Tempo at their compose addresses', () => {
    expect(stringAt(datasourceByType('prometheus'), 'url')).toBe('http://prometheus:9090');
    expect(at(datasourceByType('prometheus'), 'isDefault')).toBe(true);
    const tempoPort = at(readYaml('deploy/observability/tempo.yaml'), 'server', 'http_listen_port');
    expect(stringAt(datasourceByType('tempo'), 'url')).toBe(`http://tempo:${tempoPort}`);
  });

  it('loads dashboards from the directory compose mounts the dashboard into', () => {
    const providers = arrayAt(readYaml('deploy/observability/grafana/provisioning/dashboards/dashboards.yaml'), 'providers');
    expect(providers.map((provider) => stringAt(provider, 'options', 'path'))).toContain('/var/lib/grafana/dashboards');
    const grafanaMounts = arrayAt(readYaml('docker-compose.yml'), 'services', 'grafana', 'volumes').map(String);
    expect(grafanaMounts).toContain('./deploy/observability/grafana/dashboards:/var/lib/grafana/dashboards:ro');
  });
});

describe('Prometheus', () => {
  const scrapeConfigs = arrayAt(readYaml('deploy/observability/prometheus.yml'), 'scrape_configs');
  const targets = scrapeConfigs.flatMap((config) =>
    arrayAt(config, 'static_configs').flatMap((group) =>
      arrayAt(group, 'targets').map((target) => ({ job: stringAt(config, 'job_name'), path: stringAt(config, 'metrics_path') ?? '/metrics', target: String(target) })),
    ),
  );

  it('scrapes /metrics of all four services at their compose names and SPEC ports', () => {
    expect(targets).toEqual(
      expect.arrayContaining(APPS.map((app) => ({ job: app.serviceName, path: '/metrics', target: `${app.name}:${app.port}` }))),
    );
    expect(targets).toHaveLength(APPS.length);
  });
});

describe('OpenTelemetry collector (compose)', () => {
  const collector = readYaml('deploy/observability/otel-collector.yaml');
  const tempo = readYaml('deploy/observability/tempo.yaml');

  it('receives OTLP over HTTP on 4318, where the services send it', () => {
    expect(stringAt(collector, 'receivers', 'otlp', 'protocols', 'http', 'endpoint')).toBe('0.0.0.0:4318');
    expect(arrayAt(collector, 'service', 'pipelines', 'traces', 'receivers')).toContain('otlp');
  });

  it('exports the traces pipeline to Tempo on a port Tempo receives OTLP on', () => {
    const exporters = arrayAt(collector, 'service', 'pipelines', 'traces', 'exporters').map(String);
    const tempoExporters = exporters.filter((name) => /^otlp(http)?(\/|$)/.test(name) && stringAt(collector, 'exporters', name, 'endpoint')?.includes('tempo'));
    expect(tempoExporters).toHaveLength(1);
    const endpoint = stringAt(collector, 'exporters', tempoExporters[0] ?? '', 'endpoint') ?? '';
    const port = endpoint.split(':').at(-1);
    const tempoReceivers = recordAt(tempo, 'distributor', 'receivers', 'otlp', 'protocols');
    const tempoPorts = Object.values(tempoReceivers).map((protocol) => String(at(protocol, 'endpoint')).split(':').at(-1));
    expect(endpoint).toMatch(/^(https?:\/\/)?tempo:\d+/);
    expect(tempoPorts).toContain(port);
  });

  it('declares every component the pipeline uses', () => {
    const pipeline = recordAt(collector, 'service', 'pipelines', 'traces');
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      for (const name of arrayAt(pipeline, kind)) expect(Object.keys(recordAt(collector, kind))).toContain(String(name));
    }
  });
});

describe('exemplars and the service map', () => {
  const compose = readYaml('docker-compose.yml');
  const prometheusFlags = arrayAt(compose, 'services', 'prometheus', 'command').map(String);

  it('Prometheus stores exemplars, and Grafana links an exemplar trace_id to Tempo', () => {
    expect(prometheusFlags).toContain('--enable-feature=exemplar-storage');
    const destinations = arrayAt(datasourceByType('prometheus'), 'jsonData', 'exemplarTraceIdDestinations');
    // The label name the services put on processing_time_seconds exemplars (libs/telemetry/src/metrics.ts).
    expect(readRepoFile('libs/telemetry/src/metrics.ts')).toContain('exemplarLabels: traceId ? { trace_id: traceId }');
    expect(destinations).toEqual([{ name: 'trace_id', datasourceUid: stringAt(datasourceByType('tempo'), 'uid') }]);
  });

  it('a Tempo service map is configured only with the metrics generator feeding Prometheus', () => {
    const serviceMap = stringAt(datasourceByType('tempo'), 'jsonData', 'serviceMap', 'datasourceUid');
    if (serviceMap === undefined) return;
    const tempo = readYaml('deploy/observability/tempo.yaml');
    expect(serviceMap).toBe(stringAt(datasourceByType('prometheus'), 'uid'));
    expect(arrayAt(tempo, 'overrides', 'defaults', 'metrics_generator', 'processors')).toContain('service-graphs');
    const remoteWrite = arrayAt(tempo, 'metrics_generator', 'storage', 'remote_write').map((target) => stringAt(target, 'url'));
    expect(remoteWrite).toEqual([`${stringAt(datasourceByType('prometheus'), 'url')}/api/v1/write`]);
    expect(prometheusFlags).toContain('--web.enable-remote-write-receiver');
  });
});
