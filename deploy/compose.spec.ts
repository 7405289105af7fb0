import {
  APPS,
  appEntrypoint,
  arrayAt,
  at,
  isRecord,
  MIGRATE_ENTRYPOINT,
  parseSpecVariableTable,
  readRepoFile,
  readYaml,
  recordAt,
  SECRET_VARIABLES,
  specVariables,
  stringAt,
  VARIABLES_OUTSIDE_THE_TABLE,
} from './testing/index.js';

const compose = readYaml('docker-compose.yml');

/** Every variable the product's config schema reads (libs/config/src/env.schema.ts). */
const SCHEMA_VARIABLES = [...readRepoFile('libs/config/src/env.schema.ts').matchAll(/^  ([A-Z][A-Z0-9_]*): /gm)].map((match) => match[1] ?? '');
/** Set by the sandbox (npm start, or compose's emulators through sandbox.env), never by an operator. */
const SANDBOX_ONLY = new Set(['TGG_SANDBOX', 'TGG_SANDBOX_CONTROL_URL']);
const ENV_FILE_FLAG = '--env-file-if-exists=/sandbox/sandbox.env';
const services = recordAt(compose, 'services');

function service(name: string): Record<string, unknown> {
  const found = services[name];
  if (!isRecord(found)) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** `environment:` as a map, whichever of the two compose spellings (map or KEY=value list) is used. */
function environmentOf(name: string): Map<string, string> {
  const environment = at(service(name), 'environment');
  const entries = new Map<string, string>();
  if (Array.isArray(environment)) {
    for (const item of environment) {
      const [key = '', ...value] = String(item).split('=');
      entries.set(key, value.join('='));
    }
  } else if (isRecord(environment)) {
    for (const [key, value] of Object.entries(environment)) entries.set(key, value === null ? '' : String(value));
  }
  return entries;
}

/** A command or healthcheck test as one string, whichever form (exec list or shell string) it has. */
function commandLine(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(' ') : String(value ?? '');
}

/** `"3000:3000"`, `3000:3000/tcp` or the long syntax, as [published, target] pairs. */
function publishedPorts(name: string): [number, number][] {
  return arrayAt(service(name), 'ports').map((port) => {
    if (isRecord(port)) return [Number(port['published']), Number(port['target'])];
    const parts = String(port).replace(/\/(tcp|udp)$/, '').split(':');
    return [Number(parts.at(-2)), Number(parts.at(-1))];
  });
}

describe('SPEC §3 variable table parser', () => {
  it('reads every backticked variable name of the table, and nothing from other sections', () => {
    const markdown = [
      '## 2. Commands', '| `npm ci` | `NOT_THIS` |',
      '## 3. Configuration', '| variable | default | meaning |', '|---|---|---|',
      '| `DATABASE_URL` | `postgresql://x` | Postgres |', '| `REDIS_URL` | — | `QUEUE_PREFIX` namespaces keys |',
      '| `INGRESS_PORT` / `OUTBOUND_PORT` | `3000` / `3001` | ports, `A-Za-z0-9_-` |',
      '## 4. HTTP', '| `NOR_THIS` |',
    ].join('\n');
    expect(parseSpecVariableTable(markdown).sort()).toEqual(['DATABASE_URL', 'INGRESS_PORT', 'OUTBOUND_PORT', 'QUEUE_PREFIX', 'REDIS_URL']);
  });

  it('finds the whole table in SPEC.md (or uses the built-in copy)', () => {
    const { names } = specVariables();
    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'INGRESS_PORT', 'DISPATCHER_PORT', 'ENCRYPTION_KEY', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'LOG_LEVEL']));
    expect(names.length).toBeGreaterThanOrEqual(20);
  });
});

describe('docker-compose.yml', () => {
  it('runs the full stack of SPEC §2', () => {
    expect(Object.keys(services).sort()).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'migrate', 'emulators', 'ingress', 'outbound', 'sequencer', 'dispatcher', 'otel-collector', 'tempo', 'prometheus', 'grafana']),
    );
  });

  it('runs Postgres 15 with a pg_isready healthcheck and a persistent volume', () => {
    const postgres = service('postgres');
    expect(stringAt(postgres, 'image')).toMatch(/^postgres:15\.\d+$/);
    expect(commandLine(at(postgres, 'healthcheck', 'test'))).toContain('pg_isready');
    expect(arrayAt(postgres, 'volumes').map(String).some((volume) => volume.endsWith(':/var/lib/postgresql/data'))).toBe(true);
  });

  it('runs Redis 7 with AOF fsynced every second, no eviction below a maxmemory, a healthcheck and a persistent volume', () => {
    const redis = service('redis');
    expect(stringAt(redis, 'image')).toMatch(/^redis:7\.\d+\.\d+$/);
    const command = commandLine(at(redis, 'command'));
    expect(command).toMatch(/--appendonly\s+yes/);
    expect(command).toMatch(/--appendfsync\s+everysec/);
    expect(command).toMatch(/--maxmemory-policy\s+noeviction/);
    // noeviction only refuses writes when a maxmemory is set; below the container limit, so Redis says no before the OOM killer acts.
    const maxmemory = /--maxmemory\s+\$\{REDIS_MAXMEMORY:-(\d+)mb\}/.exec(command);
    expect(maxmemory).not.toBeNull();
    const limit = /^\$\{REDIS_MEMORY_LIMIT:-(\d+)g\}$/.exec(String(at(redis, 'mem_limit')));
    expect(Number(maxmemory?.[1]) * 1024 * 1024).toBeLessThan(Number(limit?.[1]) * 1024 ** 3 * 0.75);
    expect(commandLine(at(redis, 'healthcheck', 'test'))).toMatch(/redis-cli.*ping/);
    expect(arrayAt(redis, 'volumes').map(String).some((volume) => volume.endsWith(':/data'))).toBe(true);
  });

  it('migrates once, from the bridge image, after Postgres is healthy, without any credential', () => {
    const migrate = service('migrate');
    expect(commandLine(at(migrate, 'command'))).toBe(`node ${MIGRATE_ENTRYPOINT}`);
    expect(at(migrate, 'depends_on', 'postgres', 'condition')).toBe('service_healthy');
    expect(String(at(migrate, 'restart'))).toBe('no');
    expect(stringAt(migrate, 'image')).toBe(stringAt(service('ingress'), 'image'));
    const environment = environmentOf('migrate');
    expect(environment.get('DATABASE_URL')).toBe(environmentOf('ingress').get('DATABASE_URL'));
    for (const secret of SECRET_VARIABLES) expect(environment.has(secret)).toBe(false);
  });

  describe.each(APPS)('$name', (app) => {
    const definition = service(app.name);
    const environment = environmentOf(app.name);

    it('runs its entrypoint from the runtime image built by the Dockerfile, reading the sandbox env file if there is one', () => {
      expect(commandLine(at(definition, 'command'))).toBe(`node ${ENV_FILE_FLAG} ${appEntrypoint(app)}`);
      expect(stringAt(definition, 'image')).toBe('tg-genesys-bridge:local');
      expect(stringAt(definition, 'build', 'dockerfile') ?? 'Dockerfile').toBe('Dockerfile');
      expect(stringAt(definition, 'build', 'context')).toBe('.');
      expect(stringAt(definition, 'build', 'target')).toBe('runtime');
      expect(arrayAt(definition, 'volumes')).toEqual(['sandbox:/sandbox:ro']);
    });

    it('has a readiness healthcheck on its own port, done with node (the image has no curl)', () => {
      const test = arrayAt(definition, 'healthcheck', 'test').map(String);
      expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
      expect(test[3]).toContain(`fetch('http://127.0.0.1:${app.port}/health/ready')`);
      expect(test[3]).toMatch(/process\.exit\(r\.ok \? 0 : 1\)/);
      expect(at(definition, 'healthcheck', 'interval')).toBeDefined();
    });

    it('starts after Postgres and Redis are healthy, the migration has completed and the sandbox decision is made', () => {
      expect(at(definition, 'depends_on', 'emulators', 'condition')).toBe('service_healthy');
      expect(at(definition, 'depends_on', 'postgres', 'condition')).toBe('service_healthy');
      expect(at(definition, 'depends_on', 'redis', 'condition')).toBe('service_healthy');
      expect(at(definition, 'depends_on', 'migrate', 'condition')).toBe('service_completed_successfully');
    });

    it('publishes its port only if it receives webhooks, on loopback unless BIND_ADDRESS says otherwise', () => {
      expect(publishedPorts(app.name)).toEqual(app.public ? [[app.port, app.port]] : []);
      for (const port of arrayAt(definition, 'ports')) expect(String(port)).toMatch(/^\$\{BIND_ADDRESS:-127\.0\.0\.1\}:/);
    });

    it('gets every SPEC §3 variable and nothing the product does not read', () => {
      const { names, source } = specVariables();
      const known = new Set([...names, ...VARIABLES_OUTSIDE_THE_TABLE, ...SCHEMA_VARIABLES]);
      const missing = names.filter((name) => !environment.has(name));
      const unknown = [...environment.keys()].filter((name) => !known.has(name));
      expect({ source, missing, unknown }).toEqual({ source, missing: [], unknown: [] });
    });

    it('uses the SPEC ports, in-network Postgres/Redis, its own trace name and the collector', () => {
      for (const other of APPS) expect(environment.get(other.portVariable)).toBe(String(other.port));
      expect(new URL(environment.get('DATABASE_URL') ?? '').host).toBe('postgres:5432');
      expect(new URL(environment.get('REDIS_URL') ?? '').host).toBe('redis:6379');
      expect(environment.get('OTEL_SERVICE_NAME')).toBe(app.serviceName);
      expect(environment.get('OTEL_EXPORTER_OTLP_ENDPOINT')).toBe('http://otel-collector:4318');
    });

    it('passes every setting of the config schema through from .env (ENCRYPTION_KEY_PREVIOUS and the tuning variables included)', () => {
      const missing = SCHEMA_VARIABLES.filter((name) => !SANDBOX_ONLY.has(name) && !environment.has(name));
      expect(missing).toEqual([]);
      expect(SCHEMA_VARIABLES).toEqual(expect.arrayContaining(['ENCRYPTION_KEY_PREVIOUS', 'OUTBOUND_GLOBAL_PER_S', 'WORKER_LOCK_MS', 'DATABASE_POOL_SIZE']));
      // The sandbox variables come only from the sandbox env file, never from the caller.
      for (const name of SANDBOX_ONLY) expect(environment.has(name)).toBe(false);
    });

    it('passes credentials and the Telegram/Genesys hosts through unset when unset (the sandbox file or the product default applies) and never hard-codes a secret', () => {
      const raw = recordAt(definition, 'environment');
      for (const name of [...SECRET_VARIABLES, 'ENCRYPTION_KEY_PREVIOUS', 'TELEGRAM_API_BASE_URL', 'GENESYS_LOGIN_BASE_URL', 'GENESYS_API_BASE_URL']) {
        // A value-less entry: set from the shell/.env if there, otherwise absent. An empty string would be "set"
        // and hide the sandbox file's value from --env-file-if-exists.
        expect({ name, value: raw[name] }).toEqual({ name, value: null });
      }
      for (const url of [environment.get('DATABASE_URL'), environment.get('REDIS_URL')]) expect(new URL(url ?? '').password).toBe('');
      for (const [name, value] of environment) {
        expect(`${name}=${value}`).not.toMatch(/\d{6,}:[A-Za-z0-9_-]{30,}/); // the shape of a Telegram bot token
      }
    });
  });

  it('gives every app the same settings apart from its trace name', () => {
    const withoutName = (name: string) => [...environmentOf(name)].filter(([key]) => key !== 'OTEL_SERVICE_NAME').sort();
    for (const app of APPS) expect(withoutName(app.name)).toEqual(withoutName('ingress'));
  });

  it('gives every app one ENCRYPTION_KEY: the caller\'s, or in the sandbox the one the emulators service writes to the shared volume', () => {
    const emulators = service('emulators');
    expect(stringAt(emulators, 'build', 'target')).toBe('sandbox');
    expect(stringAt(emulators, 'image')).not.toBe(stringAt(service('ingress'), 'image'));
    expect(commandLine(at(emulators, 'command'))).toBe('node dist/scripts/sandbox-emulators.js');
    expect(arrayAt(emulators, 'volumes')).toEqual(['sandbox:/sandbox']);
    expect(recordAt(emulators, 'environment')['ENCRYPTION_KEY']).toBeNull();
    for (const secret of SECRET_VARIABLES) expect(Object.keys(recordAt(emulators, 'environment'))).toContain(secret);
    expect(commandLine(at(emulators, 'healthcheck', 'test'))).toContain('http://127.0.0.1:4000/');
    expect(readRepoFile('scripts/sandbox-emulators.ts')).toMatch(/ENCRYPTION_KEY: process\.env\['ENCRYPTION_KEY'\] \|\| sandboxEncryptionKey\(\)/);
    for (const app of APPS) expect(commandLine(at(service(app.name), 'command'))).toContain(ENV_FILE_FLAG);
    expect(Object.keys(recordAt(compose, 'volumes'))).toContain('sandbox');
  });

  it('builds the emulators only into the sandbox image', () => {
    const targets = Object.entries(services).filter(([, definition]) => at(definition, 'build') !== undefined).map(([name, definition]) => [name, stringAt(definition, 'build', 'target')]);
    expect(targets.filter(([, target]) => target === 'sandbox')).toEqual([['emulators', 'sandbox']]);
    expect(targets.filter(([, target]) => target !== 'sandbox' && target !== 'runtime')).toEqual([]);
  });

  it('publishes Grafana and Prometheus, and neither Postgres nor Redis', () => {
    expect(publishedPorts('grafana').map(([, target]) => target)).toEqual([3000]);
    expect(publishedPorts('grafana').map(([published]) => published)).not.toContain(3000);
    expect(publishedPorts('prometheus')).toEqual([[9090, 9090]]);
    expect(publishedPorts('postgres')).toEqual([]);
    expect(publishedPorts('redis')).toEqual([]);
  });

  it('mounts the observability configuration the collector, Tempo, Prometheus and Grafana read', () => {
    const mounts = (name: string) => arrayAt(service(name), 'volumes').map(String);
    expect(mounts('otel-collector')).toContain('./deploy/observability/otel-collector.yaml:/etc/otelcol-contrib/config.yaml:ro');
    expect(mounts('tempo')).toContain('./deploy/observability/tempo.yaml:/etc/tempo.yaml:ro');
    expect(mounts('prometheus')).toContain('./deploy/observability/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(mounts('grafana')).toEqual(
      expect.arrayContaining([
        './deploy/observability/grafana/provisioning:/etc/grafana/provisioning:ro',
        './deploy/observability/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
    expect(stringAt(service('otel-collector'), 'image')).toMatch(/^otel\/opentelemetry-collector-contrib:\d/);
  });

  it('lets anyone on localhost view Grafana, but only view', () => {
    const grafana = environmentOf('grafana');
    expect(grafana.get('GF_AUTH_ANONYMOUS_ENABLED')).toBe('true');
    expect(grafana.get('GF_AUTH_ANONYMOUS_ORG_ROLE')).toBe('Viewer');
  });

  it('pins every third-party image to an exact version', () => {
    for (const [name, definition] of Object.entries(services)) {
      if (at(definition, 'build') !== undefined) continue; // ours, built from the Dockerfile
      const image = stringAt(definition, 'image') ?? '';
      expect(`${name}: ${image}`).toMatch(/:v?\d+\.\d+(\.\d+)?(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it('publishes every port on loopback by default', () => {
    for (const [name, definition] of Object.entries(services)) {
      for (const port of arrayAt(definition, 'ports')) expect(`${name}: ${String(port)}`).toMatch(/^[\w-]+: \$\{BIND_ADDRESS:-127\.0\.0\.1\}:\d+:\d+$/);
    }
  });
});
