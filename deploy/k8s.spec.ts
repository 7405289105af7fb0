import {
  APPS,
  appEntrypoint,
  arrayAt,
  at,
  CONNECTION_VARIABLES,
  isRecord,
  type K8sObject,
  kubectlAvailable,
  MIGRATE_ENTRYPOINT,
  parseEnvFile,
  readRepoFile,
  recordAt,
  renderKustomize,
  renderOverlay,
  SECRET_VARIABLES,
  specVariables,
  stringAt,
  VARIABLES_OUTSIDE_THE_TABLE,
} from './testing/index.js';
import { parse } from 'yaml';
import { prometheusRule, DASHBOARD, RULES } from './sync-copies.mjs';

if (!kubectlAvailable()) {
  throw new Error('deploy/k8s.spec.ts needs `kubectl` (>= 1.27, it bundles kustomize) on PATH to render the overlays; install it and re-run');
}

const OVERLAYS = ['dev', 'prod'] as const;
const rendered = Object.fromEntries(OVERLAYS.map((overlay) => [overlay, renderKustomize(`deploy/k8s/overlays/${overlay}`)])) as Record<
  (typeof OVERLAYS)[number],
  K8sObject[] // Object.fromEntries loses the key type; the keys are exactly OVERLAYS.
>;

/** What each process reads from tgg-secrets: the sequencer touches only Redis. */
const SECRETS_PER_APP: Record<string, string[]> = {
  ingress: [...CONNECTION_VARIABLES, ...SECRET_VARIABLES],
  outbound: [...CONNECTION_VARIABLES, ...SECRET_VARIABLES],
  dispatcher: [...CONNECTION_VARIABLES, ...SECRET_VARIABLES],
  sequencer: ['REDIS_URL'],
};
const USES_POSTGRES = new Set(['ingress', 'outbound', 'dispatcher']);
/** Secret keys a pod may lack: a key rotation's previous key, and the ops console token (console off without it). */
const OPTIONAL_SECRETS = new Set(['ENCRYPTION_KEY_PREVIOUS', 'OPS_CONSOLE_TOKEN']);
/** Connections prod may open at full scale (Σ maxReplicas × DATABASE_POOL_SIZE): under Postgres' default 100, with room for admin sessions. */
const POSTGRES_CONNECTION_BUDGET = 90;

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((object) => object.kind === kind);
function named(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} rendered`);
  return found;
}
const podSpecOf = (workload: K8sObject) => recordAt(workload, 'spec', 'template', 'spec');
const containersOf = (workload: K8sObject) => arrayAt(workload, 'spec', 'template', 'spec', 'containers');
const initContainersOf = (workload: K8sObject) => arrayAt(workload, 'spec', 'template', 'spec', 'initContainers');
/** `env` entries taken from a Secret, as [variable, secret name, key]. */
const secretEnvOf = (container: unknown) =>
  arrayAt(container, 'env')
    .filter((variable) => at(variable, 'valueFrom', 'secretKeyRef') !== undefined)
    .map((variable) => [at(variable, 'name'), at(variable, 'valueFrom', 'secretKeyRef', 'name'), at(variable, 'valueFrom', 'secretKeyRef', 'key')]);
const envValue = (container: unknown, name: string) => stringAt(arrayAt(container, 'env').find((variable) => at(variable, 'name') === name), 'value');
const podLabelsOf = (workload: K8sObject) => recordAt(workload, 'spec', 'template', 'metadata', 'labels');
/** matchLabels only: every selector in these manifests is written that way. */
const selects = (selector: unknown, labels: Record<string, unknown>) =>
  Object.entries(recordAt(selector, 'matchLabels')).every(([key, value]) => labels[key] === value) && Object.keys(recordAt(selector, 'matchLabels')).length > 0;

/** Security settings are honoured at container level, falling back to the pod's. */
function effectiveSecurity(workload: K8sObject, container: unknown, key: string): unknown {
  return at(container, 'securityContext', key) ?? at(podSpecOf(workload), 'securityContext', key);
}

describe.each(OVERLAYS)('kustomize overlay %s', (overlay) => {
  const objects = rendered[overlay];
  const workloads = [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Job')];
  const configMap = ofKind(objects, 'ConfigMap').find((object) => object.metadata.name.startsWith('tgg-config'));

  it('puts everything namespaced into one namespace, which enforces the restricted Pod Security Standard', () => {
    const namespaces = ofKind(objects, 'Namespace');
    expect(namespaces).toHaveLength(1);
    const namespace = namespaces[0];
    expect(namespace?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const object of objects.filter((candidate) => candidate.kind !== 'Namespace')) {
      expect(`${object.kind}/${object.metadata.name} in ${object.metadata.namespace}`).toBe(`${object.kind}/${object.metadata.name} in ${namespace?.metadata.name}`);
    }
  });

  describe.each(APPS)('app $name', (app) => {
    const deployment = named(objects, 'Deployment', app.serviceName);
    const container = containersOf(deployment)[0];

    it('runs its entrypoint from the pinned bridge image with the config by reference', () => {
      expect(containersOf(deployment)).toHaveLength(1);
      expect(arrayAt(container, 'command')).toEqual(['node', appEntrypoint(app)]);
      expect(stringAt(container, 'image')).toMatch(/^[\w.\-/]+\/tg-genesys-bridge(:[\w.-]+|@sha256:[0-9a-f]{64})$/);
      const envFrom = arrayAt(container, 'envFrom');
      expect(envFrom.map((source) => stringAt(source, 'configMapRef', 'name'))).toEqual([configMap?.metadata.name]);
      const env = arrayAt(container, 'env');
      expect(env.find((variable) => at(variable, 'name') === 'OTEL_SERVICE_NAME')).toEqual({ name: 'OTEL_SERVICE_NAME', value: app.serviceName });
    });

    it('gets only the secrets it reads, key by key (never the whole Secret)', () => {
      expect(arrayAt(container, 'envFrom').filter((source) => at(source, 'secretRef') !== undefined)).toEqual([]);
      const required = secretEnvOf(container).filter(([name]) => !OPTIONAL_SECRETS.has(String(name)));
      expect(required.map(([name]) => name).sort()).toEqual([...(SECRETS_PER_APP[app.name] ?? [])].sort());
      for (const [name, secret, key] of required) expect([name, secret, key]).toEqual([name, 'tgg-secrets', name]);
      // ENCRYPTION_KEY_PREVIOUS exists only during a key rotation: optional, and only where ENCRYPTION_KEY is.
      const previous = arrayAt(container, 'env').find((variable) => at(variable, 'name') === 'ENCRYPTION_KEY_PREVIOUS');
      expect(previous === undefined ? undefined : at(previous, 'valueFrom', 'secretKeyRef', 'optional')).toBe(SECRETS_PER_APP[app.name]?.includes('ENCRYPTION_KEY') ? true : undefined);
      // OPS_CONSOLE_TOKEN turns the ops console on, on the dispatcher only: optional (off without the key).
      const opsToken = arrayAt(container, 'env').find((variable) => at(variable, 'name') === 'OPS_CONSOLE_TOKEN');
      expect(opsToken === undefined ? undefined : [at(opsToken, 'valueFrom', 'secretKeyRef', 'key'), at(opsToken, 'valueFrom', 'secretKeyRef', 'optional')]).toEqual(
        app.name === 'dispatcher' ? ['OPS_CONSOLE_TOKEN', true] : undefined,
      );
    });

    it('migrates before starting when it uses Postgres (an init container: nothing immutable to re-apply)', () => {
      const inits = initContainersOf(deployment);
      if (!USES_POSTGRES.has(app.name)) {
        expect(inits).toEqual([]);
        return;
      }
      expect(inits).toHaveLength(1);
      const [migrate] = inits;
      expect(arrayAt(migrate, 'command')).toEqual(['node', MIGRATE_ENTRYPOINT]);
      expect(stringAt(migrate, 'image')).toBe(stringAt(container, 'image'));
      // Only the database URL from the Secret: the migration needs no Telegram/Genesys credentials.
      expect(secretEnvOf(migrate)).toEqual([['DATABASE_URL', 'tgg-secrets', 'DATABASE_URL']]);
      expect(arrayAt(migrate, 'envFrom')).toEqual([]);
    });

    it('sizes its Postgres pool per service (DATABASE_POOL_SIZE), only when it uses Postgres', () => {
      const size = envValue(container, 'DATABASE_POOL_SIZE');
      if (USES_POSTGRES.has(app.name)) expect(Number(size)).toBeGreaterThanOrEqual(1);
      else expect(size).toBeUndefined();
    });

    it('serves http on its SPEC port and is probed on /health/live (startup, liveness) and /health/ready', () => {
      expect(arrayAt(container, 'ports')).toEqual([{ name: 'http', containerPort: app.port, protocol: 'TCP' }]);
      for (const [probe, path] of [['startupProbe', '/health/live'], ['livenessProbe', '/health/live'], ['readinessProbe', '/health/ready']] as const) {
        expect({ probe, httpGet: at(container, probe, 'httpGet') }).toEqual({ probe, httpGet: { path, port: 'http' } });
      }
    });

    it('rolls out without loss: a preStop sleep lets the endpoint drain, then the grace period covers it plus the drain budget', () => {
      // The preStop sleep runs before SIGTERM, while the endpoint leaves the Service (no new requests reach a stopping pod).
      const preStop = arrayAt(container, 'lifecycle', 'preStop', 'exec', 'command');
      expect(preStop[0]).toBe('sleep');
      const preStopS = Number(preStop[1]);
      expect(preStopS).toBeGreaterThanOrEqual(3);
      // SIGKILL after the grace period (counted from the preStop) must never cut a drain short: a few seconds left to close.
      const drainMs = Number(envValue(container, 'SHUTDOWN_DRAIN_MS'));
      expect(drainMs).toBeGreaterThan(0);
      const graceS = Number(at(podSpecOf(deployment), 'terminationGracePeriodSeconds'));
      expect(graceS * 1000).toBeGreaterThanOrEqual(preStopS * 1000 + drainMs + 10_000);
    });

    it('requests and limits CPU and memory', () => {
      for (const bound of ['requests', 'limits']) {
        expect(recordAt(container, 'resources', bound)).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      }
    });

    it('has a Service selecting its pods on the http port', () => {
      const service = named(objects, 'Service', app.serviceName);
      expect(selects({ matchLabels: at(service, 'spec', 'selector') }, podLabelsOf(deployment))).toBe(true);
      expect(arrayAt(service, 'spec', 'ports')).toEqual([{ name: 'http', port: app.port, targetPort: 'http', protocol: 'TCP' }]);
    });

    it('scales on CPU with an HPA whose minimum equals the Deployment replicas', () => {
      const hpas = ofKind(objects, 'HorizontalPodAutoscaler').filter((hpa) => at(hpa, 'spec', 'scaleTargetRef', 'name') === app.serviceName);
      expect(hpas).toHaveLength(1);
      const hpa = hpas[0];
      expect(at(hpa, 'apiVersion')).toBe('autoscaling/v2');
      expect(at(hpa, 'spec', 'scaleTargetRef', 'kind')).toBe('Deployment');
      expect(arrayAt(hpa, 'spec', 'metrics').map((metric) => at(metric, 'resource', 'name'))).toContain('cpu');
      const minReplicas = Number(at(hpa, 'spec', 'minReplicas'));
      expect(Number(at(hpa, 'spec', 'maxReplicas'))).toBeGreaterThanOrEqual(minReplicas);
      expect(at(deployment, 'spec', 'replicas')).toBe(minReplicas);
    });

    it('has a PodDisruptionBudget over its pods that still lets a node drain', () => {
      const pdbs = ofKind(objects, 'PodDisruptionBudget').filter((pdb) => selects(at(pdb, 'spec', 'selector'), podLabelsOf(deployment)));
      expect(pdbs).toHaveLength(1);
      expect(at(pdbs[0], 'spec', 'maxUnavailable')).toBe(1);
    });
  });

  describe('every pod (apps with their migrate init containers, collector)', () => {
    it.each(['Deployment'])('%s pods run as uid 10001, non-root, read-only, no privilege escalation, no capabilities, RuntimeDefault seccomp', (kind) => {
      const ofThisKind = workloads.filter((workload) => workload.kind === kind);
      expect(ofThisKind).not.toHaveLength(0);
      for (const workload of ofThisKind) {
        expect(podSpecOf(workload)['automountServiceAccountToken']).toBe(false);
        for (const container of [...initContainersOf(workload), ...containersOf(workload)]) {
          const name = `${workload.metadata.name}/${stringAt(container, 'name')}`;
          expect({ name, runAsNonRoot: effectiveSecurity(workload, container, 'runAsNonRoot') }).toEqual({ name, runAsNonRoot: true });
          expect({ name, runAsUser: effectiveSecurity(workload, container, 'runAsUser') }).toEqual({ name, runAsUser: 10001 });
          expect({ name, readOnly: at(container, 'securityContext', 'readOnlyRootFilesystem') }).toEqual({ name, readOnly: true });
          expect({ name, escalation: at(container, 'securityContext', 'allowPrivilegeEscalation') }).toEqual({ name, escalation: false });
          expect({ name, drop: arrayAt(container, 'securityContext', 'capabilities', 'drop') }).toEqual({ name, drop: ['ALL'] });
          expect({ name, seccomp: at(effectiveSecurity(workload, container, 'seccompProfile'), 'type') }).toEqual({ name, seccomp: 'RuntimeDefault' });
          expect(recordAt(container, 'resources', 'limits')).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
          // A read-only root needs somewhere to write temporary files.
          const tmp = arrayAt(container, 'volumeMounts').find((mount) => at(mount, 'mountPath') === '/tmp');
          const volume = arrayAt(podSpecOf(workload), 'volumes').find((candidate) => at(candidate, 'name') === at(tmp, 'name'));
          expect({ name, tmp: isRecord(at(volume, 'emptyDir')) }).toEqual({ name, tmp: true });
        }
      }
    });
  });

  it("has no Job: a Job's pod template is immutable, so re-applying a changed one fails", () => {
    expect(ofKind(objects, 'Job').map((job) => job.metadata.name)).toEqual([]);
  });

  it('has a PodDisruptionBudget for the collector that lets a node drain', () => {
    const collector = named(objects, 'Deployment', 'tgg-otel-collector');
    const pdbs = ofKind(objects, 'PodDisruptionBudget').filter((pdb) => selects(at(pdb, 'spec', 'selector'), podLabelsOf(collector)));
    expect(pdbs).toHaveLength(1);
    expect(at(pdbs[0], 'spec', 'maxUnavailable')).toBe(1);
  });

  it('exposes publicly only the two webhooks and /media, on the services that serve them', () => {
    const ingresses = ofKind(objects, 'Ingress');
    expect(ingresses).toHaveLength(1);
    const ingress = ingresses[0];
    expect(at(ingress, 'spec', 'defaultBackend')).toBeUndefined();
    const routes = arrayAt(ingress, 'spec', 'rules').flatMap((rule) =>
      arrayAt(rule, 'http', 'paths').map((route) => [at(route, 'path'), at(route, 'pathType'), at(route, 'backend', 'service', 'name'), at(route, 'backend', 'service', 'port', 'name')]),
    );
    expect(routes.sort()).toEqual(
      [
        ['/genesys/webhook', 'Prefix', 'tgg-outbound', 'http'],
        ['/media', 'Prefix', 'tgg-ingress', 'http'],
        ['/telegram/webhook', 'Prefix', 'tgg-ingress', 'http'],
      ].sort(),
    );
  });

  it('renders no Secret values: tgg-secrets is only referenced', () => {
    for (const secret of ofKind(objects, 'Secret')) {
      expect({ name: secret.metadata.name, data: secret.data, stringData: secret.stringData }).toEqual({ name: secret.metadata.name, data: undefined, stringData: undefined });
    }
    expect(ofKind(objects, 'Secret').map((secret) => secret.metadata.name)).not.toContain('tgg-secrets');
  });

  it('keeps secrets and connection strings out of the ConfigMap, which holds every other SPEC §3 setting', () => {
    expect(configMap).toBeDefined();
    const keys = Object.keys(recordAt(configMap, 'data'));
    const inSecret = new Set<string>([...SECRET_VARIABLES, ...CONNECTION_VARIABLES]);
    expect(keys.filter((key) => inSecret.has(key))).toEqual([]);
    const { names, source } = specVariables();
    const missing = names.filter((name) => !inSecret.has(name) && !keys.includes(name));
    expect({ source, missing }).toEqual({ source, missing: [] });
    const known = new Set([...names, ...VARIABLES_OUTSIDE_THE_TABLE]);
    expect(keys.filter((key) => !known.has(key))).toEqual([]);
    expect(recordAt(configMap, 'data')['OTEL_EXPORTER_OTLP_ENDPOINT']).toBe('http://tgg-otel-collector:4318');
  });

  describe('NetworkPolicies', () => {
    const policies = ofKind(objects, 'NetworkPolicy');
    const componentsSelected = (policy: K8sObject): string[] => {
      const selector = recordAt(policy, 'spec', 'podSelector');
      const byLabel = stringAt(selector, 'matchLabels', 'app.kubernetes.io/component');
      const byExpression = arrayAt(selector, 'matchExpressions').find((expression) => at(expression, 'key') === 'app.kubernetes.io/component' && at(expression, 'operator') === 'In');
      return byLabel !== undefined ? [byLabel] : arrayAt(byExpression, 'values').map(String);
    };
    const policiesFor = (component: string) => policies.filter((policy) => componentsSelected(policy).includes(component));
    const portsIn = (rules: unknown[]) => rules.flatMap((rule) => arrayAt(rule, 'ports').map((port) => `${String(at(port, 'port'))}/${String(at(port, 'protocol') ?? 'TCP')}`));

    it('deny all traffic by default', () => {
      const denyAll = policies.filter(
        (policy) => Object.keys(recordAt(policy, 'spec', 'podSelector')).length === 0 && at(policy, 'spec', 'ingress') === undefined && at(policy, 'spec', 'egress') === undefined,
      );
      expect(denyAll).toHaveLength(1);
      expect(arrayAt(denyAll[0], 'spec', 'policyTypes').sort()).toEqual(['Egress', 'Ingress']);
    });

    it('let only the ingress controller reach the webhook services, and only Prometheus reach the workers', () => {
      for (const app of APPS) {
        const sources = policiesFor(app.name).flatMap((policy) => arrayAt(policy, 'spec', 'ingress').flatMap((rule) => arrayAt(rule, 'from')));
        const namespaces = sources.map((source) => stringAt(source, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name')).sort();
        expect({ app: app.name, namespaces }).toEqual({ app: app.name, namespaces: app.public ? ['ingress-nginx', 'monitoring'] : ['monitoring'] });
        for (const source of sources) expect(isRecord(at(source, 'podSelector', 'matchLabels'))).toBe(true);
        const ports = policiesFor(app.name).flatMap((policy) => portsIn(arrayAt(policy, 'spec', 'ingress')));
        expect(new Set(ports)).toEqual(new Set(['http/TCP']));
      }
    });

    it('let the apps reach DNS, Redis, HTTPS and the collector, Postgres only if they use it, and nothing else', () => {
      for (const app of APPS) {
        const ports = policiesFor(app.name).flatMap((policy) => portsIn(arrayAt(policy, 'spec', 'egress')));
        const expected = ['53/UDP', '53/TCP', '6379/TCP', '443/TCP', '4318/TCP', ...(USES_POSTGRES.has(app.name) ? ['5432/TCP'] : [])];
        expect({ app: app.name, ports: new Set(ports) }).toEqual({ app: app.name, ports: new Set(expected) });
      }
    });

    it('keep the Postgres and Redis ports each in a policy of their own, first port of the first rule (one patch changes them)', () => {
      for (const [name, port] of [['tgg-allow-postgres-egress', 5432], ['tgg-allow-redis-egress', 6379]] as const) {
        const policy = named(objects, 'NetworkPolicy', name);
        expect(portsIn(arrayAt(policy, 'spec', 'egress'))).toEqual([`${port}/TCP`]);
        expect(at(policy, 'spec', 'egress', 0, 'ports', 0, 'port')).toBe(port);
      }
    });
  });

  it('runs an OpenTelemetry collector receiving OTLP/HTTP on 4318 and exporting traces', () => {
    const collector = named(objects, 'Deployment', 'tgg-otel-collector');
    const service = named(objects, 'Service', 'tgg-otel-collector');
    expect(arrayAt(service, 'spec', 'ports').map((port) => at(port, 'port'))).toEqual([4318]);
    const configVolume = arrayAt(podSpecOf(collector), 'volumes').find((volume) => at(volume, 'configMap') !== undefined);
    const config = parse(String(recordAt(named(objects, 'ConfigMap', String(at(configVolume, 'configMap', 'name'))), 'data')['config.yaml']));
    expect(stringAt(config, 'receivers', 'otlp', 'protocols', 'http', 'endpoint')).toBe('0.0.0.0:4318');
    expect(arrayAt(config, 'service', 'pipelines', 'traces', 'receivers')).toEqual(['otlp']);
    const exporters = arrayAt(config, 'service', 'pipelines', 'traces', 'exporters').map(String);
    expect(exporters).toHaveLength(1);
    expect(Object.keys(recordAt(config, 'exporters'))).toEqual(exporters);
    const healthPort = at(config, 'extensions', 'health_check', 'endpoint');
    expect(String(healthPort)).toMatch(/:13133$/);
  });
});

describe('overlay differences', () => {
  const appDeployments = (overlay: (typeof OVERLAYS)[number]) => APPS.map((app) => named(rendered[overlay], 'Deployment', app.serviceName));
  const imageOf = (deployment: K8sObject) => stringAt(containersOf(deployment)[0], 'image') ?? '';
  const cpuMillis = (quantity: unknown) => (String(quantity).endsWith('m') ? Number.parseFloat(String(quantity)) : Number(quantity) * 1000);

  it('dev pulls its moving image tag on every start, for the app and its migrate init container alike', () => {
    for (const deployment of appDeployments('dev')) {
      const policies = [...initContainersOf(deployment), ...containersOf(deployment)].map((container) => [deployment.metadata.name, stringAt(container, 'name'), at(container, 'imagePullPolicy')]);
      for (const [name, container, policy] of policies) expect([name, container, policy]).toEqual([name, container, 'Always']);
    }
  });

  it('dev runs one replica of each app', () => {
    for (const deployment of appDeployments('dev')) expect([deployment.metadata.name, at(deployment, 'spec', 'replicas')]).toEqual([deployment.metadata.name, 1]);
  });

  it('prod runs at least two replicas of each app with more CPU and memory than dev', () => {
    const dev = appDeployments('dev');
    appDeployments('prod').forEach((deployment, index) => {
      const container = containersOf(deployment)[0];
      const devContainer = containersOf(dev[index] ?? deployment)[0];
      expect(Number(at(deployment, 'spec', 'replicas'))).toBeGreaterThanOrEqual(2);
      expect(cpuMillis(at(container, 'resources', 'limits', 'cpu'))).toBeGreaterThan(cpuMillis(at(devContainer, 'resources', 'limits', 'cpu')));
      expect(cpuMillis(at(container, 'resources', 'requests', 'cpu'))).toBeGreaterThan(cpuMillis(at(devContainer, 'resources', 'requests', 'cpu')));
    });
  });

  it('prod pins the image to a release tag or digest, the same for all apps and the migration', () => {
    const migrations = appDeployments('prod').flatMap((deployment) => initContainersOf(deployment).map((container) => stringAt(container, 'image')));
    expect(migrations).toHaveLength(USES_POSTGRES.size);
    const images = new Set([...appDeployments('prod').map(imageOf), ...migrations]);
    expect(images.size).toBe(1);
    const [image] = [...images];
    expect(image).toMatch(/(:v?\d+\.\d+\.\d+[\w.-]*|@sha256:[0-9a-f]{64})$/);
  });

  it('prod serves the public host over TLS', () => {
    const ingress = named(rendered.prod, 'Ingress', 'tgg-public');
    const host = stringAt(ingress, 'spec', 'rules', 0, 'host');
    expect(host).toEqual(expect.any(String));
    expect(arrayAt(ingress, 'spec', 'tls').flatMap((tls) => arrayAt(tls, 'hosts'))).toContain(host);
    const configMap = ofKind(rendered.prod, 'ConfigMap').find((object) => object.metadata.name.startsWith('tgg-config'));
    expect(recordAt(configMap, 'data')['PUBLIC_BASE_URL']).toBe(`https://${host}`);
  });
});

describe('deploy/k8s/README.md', () => {
  it('creates tgg-secrets with exactly the keys the pods read from it', () => {
    const readme = readRepoFile('deploy/k8s/README.md');
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    const command = blocks.filter((block) => /create secret generic tgg-secrets/.test(block));
    expect(command).toHaveLength(1);
    const keys = [...(command[0] ?? '').matchAll(/--from-literal=([A-Z_]+)=/g)].map((match) => match[1]);
    expect(keys.sort()).toEqual([...SECRET_VARIABLES, ...CONNECTION_VARIABLES].sort());
  });
});

describe('optional components', () => {
  const prodWith = (...components: string[]) => renderOverlay({ resources: ['../prod'], components: components.map((component) => `../../components/${component}`) });

  it('redis-tls moves the Redis egress port to 6380 and leaves every other port alone', () => {
    const objects = prodWith('redis-tls');
    const portsOf = (all: K8sObject[]) =>
      ofKind(all, 'NetworkPolicy').flatMap((policy) => arrayAt(policy, 'spec', 'egress').flatMap((rule) => arrayAt(rule, 'ports').map((port) => `${policy.metadata.name}:${String(at(port, 'port'))}`)));
    const before = portsOf(rendered.prod);
    const after = portsOf(objects);
    expect(after).toContain('tgg-allow-redis-egress:6380');
    expect(after.filter((port) => port.endsWith(':6379'))).toEqual([]);
    expect(after.filter((port) => !port.startsWith('tgg-allow-redis-egress'))).toEqual(before.filter((port) => !port.startsWith('tgg-allow-redis-egress')));
  });

  it('servicemonitor: selectable by kube-prometheus-stack (release label) and selecting the four app Services on http /metrics', () => {
    const objects = prodWith('servicemonitor');
    const monitors = ofKind(objects, 'ServiceMonitor');
    expect(monitors).toHaveLength(1);
    const monitor = monitors[0];
    expect(monitor?.metadata.labels?.['release']).toBe('kube-prometheus-stack');
    const selector = arrayAt(monitor, 'spec', 'selector', 'matchExpressions')[0];
    expect(at(selector, 'key')).toBe('app.kubernetes.io/component');
    const selected = ofKind(objects, 'Service').filter((service) => arrayAt(selector, 'values').includes(service.metadata.labels?.['app.kubernetes.io/component']));
    expect(selected.map((service) => service.metadata.name).sort()).toEqual(APPS.map((app) => app.serviceName).sort());
    expect(arrayAt(monitor, 'spec', 'endpoints').map((endpoint) => [at(endpoint, 'port'), at(endpoint, 'path')])).toEqual([['http', '/metrics']]);
  });

  it('prometheus-rules: ships exactly the rule groups of deploy/observability/alerts.yml, selectable by kube-prometheus-stack', () => {
    expect(readRepoFile(RULES.copy)).toBe(prometheusRule(readRepoFile(RULES.original))); // else: node deploy/sync-copies.mjs
    const rules = ofKind(prodWith('prometheus-rules'), 'PrometheusRule');
    expect(rules).toHaveLength(1);
    expect(rules[0]?.metadata.labels?.['release']).toBe('kube-prometheus-stack');
    expect(at(rules[0], 'spec', 'groups')).toEqual(at(parse(readRepoFile(RULES.original)), 'groups'));
  });

  it('grafana-dashboard: the compose dashboard in a ConfigMap the Grafana sidecar picks up', () => {
    expect(readRepoFile(DASHBOARD.copy)).toBe(readRepoFile(DASHBOARD.original)); // else: node deploy/sync-copies.mjs
    const maps = ofKind(prodWith('grafana-dashboard'), 'ConfigMap').filter((map) => map.metadata.labels?.['grafana_dashboard'] === '1');
    expect(maps.map((map) => map.metadata.name)).toEqual(['tgg-grafana-dashboard']);
    const [file, ...others] = Object.entries(recordAt(maps[0], 'data'));
    expect(others).toEqual([]);
    expect(file?.[0]).toMatch(/\.json$/);
    expect(JSON.parse(String(file?.[1]))).toEqual(JSON.parse(readRepoFile(DASHBOARD.original)));
  });

  describe('keda', () => {
    let objects: K8sObject[] = [];
    let scaled: K8sObject[] = [];
    beforeAll(() => {
      objects = prodWith('keda');
      scaled = ofKind(objects, 'ScaledObject');
    });
    /** The queues each consumer reads (libs/queues, apps/*: processors). */
    const CONSUMES: Record<string, string[]> = {
      'tgg-sequencer': ['telegram-updates'],
      'tgg-dispatcher': ['genesys-inbound'],
      'tgg-outbound': ['genesys-replies', 'telegram-sends', 'genesys-receipts'],
    };

    it('scales each queue consumer on CPU and on the depth of the queues it consumes', () => {
      expect(scaled.map((object) => at(object, 'spec', 'scaleTargetRef', 'name')).sort()).toEqual(Object.keys(CONSUMES).sort());
      expect(scaled).not.toHaveLength(0);
      for (const object of scaled) {
        const target = String(at(object, 'spec', 'scaleTargetRef', 'name'));
        named(objects, 'Deployment', target);
        const triggers = arrayAt(object, 'spec', 'triggers');
        expect(triggers.map((trigger) => at(trigger, 'type')).sort()).toEqual(['cpu', 'prometheus']);
        const query = String(at(triggers.find((trigger) => at(trigger, 'type') === 'prometheus'), 'metadata', 'query'));
        expect(query).toContain('tgg_queue_depth');
        for (const queue of CONSUMES[target] ?? []) expect({ target, query: query.includes(queue) }).toEqual({ target, query: true });
        expect(query).toMatch(/state=~"waiting\|prioritized"/);
      }
    });

    it('replaces the CPU HPA of each scaled Deployment (two autoscalers would fight) with the same replica bounds', () => {
      const hpaTargets = ofKind(objects, 'HorizontalPodAutoscaler').map((hpa) => at(hpa, 'spec', 'scaleTargetRef', 'name'));
      for (const object of scaled) {
        const target = String(at(object, 'spec', 'scaleTargetRef', 'name'));
        expect(hpaTargets).not.toContain(target);
        const replaced = named(rendered.prod, 'HorizontalPodAutoscaler', target);
        expect([target, at(object, 'spec', 'minReplicaCount'), at(object, 'spec', 'maxReplicaCount')]).toEqual([target, at(replaced, 'spec', 'minReplicas'), at(replaced, 'spec', 'maxReplicas')]);
      }
      expect(hpaTargets).toEqual(['tgg-ingress']);
    });
  });
});

describe('re-applying', () => {
  it('never changes an immutable pod template under an unchanged name when the config or the image changes', () => {
    const changed = renderOverlay({
      resources: ['../prod'],
      extra: 'configMapGenerator:\n  - name: tgg-config\n    behavior: merge\n    literals:\n      - LOG_LEVEL=debug\nimages:\n  - name: registry.example.com/tg-genesys-bridge\n    newTag: 0.2.0\n',
    });
    // The premise: the change reaches the pods.
    const image = (objects: K8sObject[]) => stringAt(containersOf(named(objects, 'Deployment', 'tgg-ingress'))[0], 'image');
    expect(image(changed)).not.toBe(image(rendered.prod));
    const immutable = (objects: K8sObject[]) => new Map(ofKind(objects, 'Job').map((job) => [job.metadata.name, JSON.stringify(at(job, 'spec', 'template'))]));
    const before = immutable(rendered.prod);
    for (const [name, template] of immutable(changed)) {
      if (before.has(name)) expect({ name, template }).toEqual({ name, template: before.get(name) });
    }
  });
});

describe('Postgres connections', () => {
  it(`stay within ${POSTGRES_CONNECTION_BUDGET} at prod's maximum scale (Σ maxReplicas × DATABASE_POOL_SIZE)`, () => {
    const total = APPS.filter((app) => USES_POSTGRES.has(app.name)).reduce((sum, app) => {
      const hpa = named(rendered.prod, 'HorizontalPodAutoscaler', app.serviceName);
      const pool = Number(envValue(containersOf(named(rendered.prod, 'Deployment', app.serviceName))[0], 'DATABASE_POOL_SIZE'));
      return sum + Number(at(hpa, 'spec', 'maxReplicas')) * pool;
    }, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(POSTGRES_CONNECTION_BUDGET);
  });
});

