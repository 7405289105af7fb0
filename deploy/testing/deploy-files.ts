import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

/** The repository root, found from this file rather than the working directory. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function repoPath(...segments: string[]): string {
  return path.join(repoRoot, ...segments);
}

export function readRepoFile(...segments: string[]): string {
  return readFileSync(repoPath(...segments), 'utf8');
}

/** One YAML document. `merge: true` because compose files use `<<:` merge keys (YAML 1.1), as Docker does. */
export function readYaml(...segments: string[]): unknown {
  return parse(readRepoFile(...segments), { merge: true });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks parsed YAML/JSON by keys and indexes; undefined as soon as a step does not exist. */
export function at(value: unknown, ...steps: (string | number)[]): unknown {
  let current = value;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (!isRecord(current)) return undefined;
      current = current[step];
    }
  }
  return current;
}

export function recordAt(value: unknown, ...steps: (string | number)[]): Record<string, unknown> {
  const found = at(value, ...steps);
  return isRecord(found) ? found : {};
}

export function arrayAt(value: unknown, ...steps: (string | number)[]): unknown[] {
  const found = at(value, ...steps);
  return Array.isArray(found) ? found : [];
}

export function stringAt(value: unknown, ...steps: (string | number)[]): string | undefined {
  const found = at(value, ...steps);
  return typeof found === 'string' ? found : undefined;
}

/** A rendered Kubernetes object: only the envelope is typed, the rest is read with at()/recordAt(). */
export interface K8sObject {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
  data?: unknown;
  stringData?: unknown;
}

function isK8sObject(value: unknown): value is K8sObject {
  return typeof at(value, 'kind') === 'string' && typeof at(value, 'apiVersion') === 'string' && typeof at(value, 'metadata', 'name') === 'string';
}

export function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `kubectl kustomize <dir>` parsed into objects; the directory is relative to the repository root. */
export function renderKustomize(directory: string): K8sObject[] {
  const rendered = execFileSync('kubectl', ['kustomize', repoPath(directory)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(rendered).map((document, index) => {
    if (document.errors.length > 0) throw new Error(`document ${index} of ${directory} is not valid YAML: ${document.errors[0]?.message}`);
    const object: unknown = document.toJS();
    if (!isK8sObject(object)) throw new Error(`document ${index} of ${directory} is not a Kubernetes object`);
    return object;
  });
}

/**
 * Renders a throwaway overlay written next to the real ones (kustomize accepts only relative paths,
 * inside no other root), e.g. prod plus a component: `{ resources: ['../prod'], components: ['../../components/keda'] }`.
 * `extra` is appended verbatim to its kustomization.yaml.
 */
export function renderOverlay(spec: { resources: string[]; components?: string[]; extra?: string }): K8sObject[] {
  const directory = mkdtempSync(repoPath('deploy/k8s/overlays/.render-'));
  try {
    const lines = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:', ...spec.resources.map((resource) => `  - ${resource}`)];
    if (spec.components?.length) lines.push('components:', ...spec.components.map((component) => `  - ${component}`));
    writeFileSync(path.join(directory, 'kustomization.yaml'), `${lines.join('\n')}\n${spec.extra ?? ''}`);
    return renderKustomize(path.relative(repoRoot, directory));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** `KEY=value` lines, as kustomize's configMapGenerator `envs:` files read them. */
export function parseEnvFile(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const separator = trimmed.indexOf('=');
    entries.set(trimmed.slice(0, separator), trimmed.slice(separator + 1));
  }
  return entries;
}

export function existsInRepo(...segments: string[]): boolean {
  return existsSync(repoPath(...segments));
}
