import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The dependency rules of STYLE §3.6, enforced as a test (the Nx ESLint plugin is not on a line
 * that installs with nx 24 here): apps → glue/adapters/platform/contracts; adapters never import
 * each other; contracts import nothing of ours; only specs and tooling import @tgg/testing and
 * @tgg/emulators. Every project under apps/ and libs/ (the product, the operator CLI in apps/cli
 * included) is checked; scripts/, tools/ and bench/ are tooling, outside these rules: they are not
 * projects, nothing in apps/ or libs/ may import them (a relative import may not leave its
 * project), and tools/ is not even built into dist/.
 */
const ALLOWED: Record<string, string[]> = {
  'type:app': ['type:glue', 'type:adapter', 'type:platform', 'type:contracts'],
  'type:glue': ['type:adapter', 'type:platform', 'type:contracts'],
  'type:adapter': ['type:platform', 'type:contracts'],
  'type:platform': ['type:contracts'],
  'type:contracts': [],
  'type:testing': ['type:emulators', 'type:adapter', 'type:platform', 'type:contracts'],
  'type:emulators': ['type:contracts'],
};

/** Specs may also use the emulators (HTTP fakes of Telegram and Genesys) and the testing lib. */
const SPEC_ONLY = new Set(['type:testing', 'type:emulators']);

// Jest loads global setup through require() without path aliases (see the file's own comment).
const RELATIVE_IMPORT_EXCEPTIONS = new Set([path.join('libs', 'testing', 'src', 'global-setup.ts')]);

interface Project {
  name: string;
  root: string;
  typeTag: string;
}

function readProjects(): Project[] {
  return ['apps', 'libs'].flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => statSync(path.join(dir, name, 'project.json'), { throwIfNoEntry: false }))
      .map((name) => {
        const project = JSON.parse(readFileSync(path.join(dir, name, 'project.json'), 'utf8')) as { name: string; tags: string[] }; // our own project.json files
        const typeTag = project.tags.find((tag) => tag.startsWith('type:'));
        if (!typeTag) throw new Error(`${dir}/${name}/project.json has no type: tag`);
        return { name: project.name, root: path.join(dir, name), typeTag };
      }),
  );
}

function sourceFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.includes('generated'))
    .map((file) => path.join(root, file));
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((match) => match[1] ?? match[2] ?? '');
}

const isSpec = (file: string) => /\.(spec|int-spec|e2e-spec)\.ts$/.test(file);

describe('module boundaries', () => {
  const projects = readProjects();
  const byAlias = new Map(projects.filter((project) => project.root.startsWith('libs')).map((project) => [`@tgg/${project.name}`, project]));

  it('knows every app and lib', () => {
    expect(projects.map((project) => project.name)).toEqual(expect.arrayContaining(['ingress', 'sequencer', 'dispatcher', 'cli', 'contracts', 'queues', 'data']));
  });

  it('keeps every import inside the rules of its project type', () => {
    const violations: string[] = [];
    for (const project of projects) {
      for (const file of sourceFiles(project.root)) {
        for (const specifier of importsOf(file)) {
          if (specifier.startsWith('@tgg/')) {
            const alias = specifier.split('/').slice(0, 2).join('/');
            const target = byAlias.get(alias);
            if (!target) {
              violations.push(`${file}: unknown alias ${specifier}`);
              continue;
            }
            if (specifier !== alias && specifier !== '@tgg/telemetry/register') violations.push(`${file}: deep import ${specifier} (use the lib's index)`);
            if (target.name === project.name) violations.push(`${file}: imports its own lib through ${alias}`);
            if (SPEC_ONLY.has(target.typeTag) && isSpec(file)) continue;
            if (!(ALLOWED[project.typeTag] ?? []).includes(target.typeTag)) violations.push(`${file}: ${project.typeTag} may not import ${alias} (${target.typeTag})`);
          } else if (specifier.startsWith('.')) {
            const resolved = path.resolve(path.dirname(file), specifier);
            if (!resolved.startsWith(path.resolve(project.root)) && !RELATIVE_IMPORT_EXCEPTIONS.has(file)) violations.push(`${file}: relative import leaves its project: ${specifier}`);
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
