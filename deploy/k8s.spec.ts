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
  SECRET_VARIABLES,
  specVariables,
  stringAt,
  VARIABLES_OUTSIDE_THE_TABLE,
} from './testing/index.js';
import { parse } from 'yaml';

if (!kubectlAvailable()) {
  throw new Error('deploy/k8s.spec.ts needs `kubectl` (>= 1.27, it bundles kustomize) on PATH to render the overlays; install it and re-run');
}

const OVERLAYS = ['dev', 'prod'] as const;
const rendered = Object.fromEntries(OVERLAYS.map((overlay) => [overlay, renderKustomize(`deploy/k8s/overlays/${overlay}`)])) as Record<
  (typeof OVERLAYS)[number],
  K8sObject[] // Object.fromEntries loses the key type; the keys are exactly OVERLAYS.
>;

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((object) => object.kind === kind);
function named(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} rendered`);
  return found;
}
const podSpecOf = (workload: K8sObject) => recordAt(workload, 'spec', 'template', 'spec');
const containersOf = (workload: K8sObject) => arrayAt(workload, 'spec', 'template', 'spec', 'containers');
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

    it('runs its entrypoint from the pinned bridge image with config and secret by reference', () => {
      expect(containersOf(deployment)).toHaveLength(1);
      expect(arrayAt(container, 'command')).toEqual(['node', appEntrypoint(app)]);
      expect(stringAt(container, 'image')).toMatch(/^[\w.\-/]+\/tg-genesys-bridge(:[\w.-]+|@sha256:[0-9a-f]{64})$/);
      const envFrom = arrayAt(container, 'envFrom');
      expect(envFrom.map((source) => stringAt(source, 'secretRef', 'name'))).toContain('tgg-secrets');
      expect(envFrom.map((source) => stringAt(source, 'configMapRef', 'name'))).toContain(configMap?.metadata.name);
      const env = arrayAt(container, 'env');
      expect(env.find((variable) => at(variable, 'name') === 'OTEL_SERVICE_NAME')).toEqual({ name: 'OTEL_SERVICE_NAME', value: app.serviceName });
    });

    it('serves http on its SPEC port and is probed on /health/live (startup, liveness) and /health/ready', () => {
      expect(arrayAt(container, 'ports')).toEqual([{ name: 'http', containerPort: app.port, protocol: 'TCP' }]);
      for (const [probe, path] of [['startupProbe', '/health/live'], ['livenessProbe', '/health/live'], ['readinessProbe', '/health/ready']] as const) {
        expect({ probe, httpGet: at(container, probe, 'httpGet') }).toEqual({ probe, httpGet: { path, port: 'http' } });
      }
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

  describe('every pod (apps, migration job, collector)', () => {
    it.each(['Deployment', 'Job'])('%s pods run as uid 10001, non-root, read-only, no privilege escalation, no capabilities, RuntimeDefault seccomp', (kind) => {
      const ofThisKind = workloads.filter((workload) => workload.kind === kind);
      expect(ofThisKind).not.toHaveLength(0);
      for (const workload of ofThisKind) {
        expect(podSpecOf(workload)['automountServiceAccountToken']).toBe(false);
        for (const container of containersOf(workload)) {
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

  it('runs the migrations in a Job from the same image, with only the database URL from the Secret', () => {
    const jobs = ofKind(objects, 'Job');
    expect(jobs).toHaveLength(1);
    const [container] = containersOf(jobs[0] ?? named(objects, 'Job', 'tgg-migrate'));
    expect(arrayAt(container, 'command')).toEqual(['node', MIGRATE_ENTRYPOINT]);
    expect(stringAt(container, 'image')).toBe(stringAt(containersOf(named(objects, 'Deployment', 'tgg-ingress'))[0], 'image'));
    expect(at(jobs[0], 'spec', 'template', 'spec', 'restartPolicy')).toBe('Never');
    const fromSecret = arrayAt(container, 'env').filter((variable) => at(variable, 'valueFrom', 'secretKeyRef') !== undefined);
    expect(fromSecret.map((variable) => [at(variable, 'name'), at(variable, 'valueFrom', 'secretKeyRef', 'name')])).toEqual([['DATABASE_URL', 'tgg-secrets']]);
    expect(arrayAt(container, 'envFrom')).toEqual([]);
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

    it('let the apps reach DNS, Postgres, Redis, HTTPS and the collector, and nothing else', () => {
      for (const app of APPS) {
        const ports = policiesFor(app.name).flatMap((policy) => portsIn(arrayAt(policy, 'spec', 'egress')));
        expect({ app: app.name, ports: new Set(ports) }).toEqual({ app: app.name, ports: new Set(['53/UDP', '53/TCP', '5432/TCP', '6379/TCP', '443/TCP', '4318/TCP']) });
      }
    });

    it('let the migration job reach only DNS and Postgres', () => {
      const ports = policiesFor('migrate').flatMap((policy) => portsIn(arrayAt(policy, 'spec', 'egress')));
      expect(new Set(ports)).toEqual(new Set(['53/UDP', '53/TCP', '5432/TCP']));
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
    const images = new Set([...appDeployments('prod').map(imageOf), stringAt(containersOf(named(rendered.prod, 'Job', 'tgg-migrate'))[0], 'image')]);
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

describe('optional ServiceMonitor component', () => {
  it('selects the four app Services on their http port at /metrics', () => {
    const monitor = parse(readRepoFile('deploy/k8s/components/servicemonitor/servicemonitor.yaml'));
    const selector = arrayAt(monitor, 'spec', 'selector', 'matchExpressions')[0];
    expect(at(selector, 'key')).toBe('app.kubernetes.io/component');
    expect(arrayAt(selector, 'values').sort()).toEqual(APPS.map((app) => app.name).sort());
    expect(arrayAt(monitor, 'spec', 'endpoints').map((endpoint) => [at(endpoint, 'port'), at(endpoint, 'path')])).toEqual([['http', '/metrics']]);
    for (const service of APPS.map((app) => named(rendered.prod, 'Service', app.serviceName))) {
      expect(service.metadata.labels?.['app.kubernetes.io/component']).toEqual(expect.any(String));
    }
  });
});
