import { APPS, appEntrypoint, CLI_ENTRYPOINT, MIGRATE_ENTRYPOINT, readRepoFile } from './testing/index.js';

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Dockerfile → stages of instructions, with line continuations joined and ARG defaults substituted in FROM. */
function parseDockerfile(text: string): Stage[] {
  const logicalLines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logicalLines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [image = '', , name] = args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      stages.push({ from: image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_match, a: string | undefined, b: string | undefined) => globalArgs.get(a ?? b ?? '') ?? ''), name, instructions: [] });
    } else if (stages.length === 0 && upper === 'ARG') {
      const [name = '', value = ''] = args.split('=');
      globalArgs.set(name, value);
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args });
    }
  }
  return stages;
}

const stages = parseDockerfile(readRepoFile('Dockerfile'));
const runtime = stages.at(-1);
const all = (stage: Stage | undefined, keyword: string) => (stage?.instructions ?? []).filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
const stageRunning = (pattern: RegExp) => stages.find((stage) => all(stage, 'RUN').some((run) => pattern.test(run)));

describe('Dockerfile', () => {
  it('builds in stages: npm ci, then npm run build, then a prune to production dependencies', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const deps = stageRunning(/\bnpm ci\b/);
    const build = stageRunning(/\bnpm run build\b/);
    expect(deps).toBeDefined();
    expect(build).toBeDefined();
    expect(deps !== undefined && build !== undefined && stages.indexOf(deps) <= stages.indexOf(build)).toBe(true);
    expect(all(build, 'RUN').some((run) => /\bnpm prune --omit=dev\b/.test(run))).toBe(true);
    expect(build).not.toBe(runtime);
  });

  it('builds offline: no install scripts, and a dummy Prisma schema engine', () => {
    expect(all(stageRunning(/\bnpm ci\b/), 'RUN').find((run) => /\bnpm ci\b/.test(run))).toMatch(/--ignore-scripts/);
    const build = stageRunning(/\bnpm run build\b/);
    const environment = [...all(build, 'ENV'), ...all(build, 'RUN')].join(' ');
    expect(environment).toMatch(/PRISMA_SCHEMA_ENGINE_BINARY=\/bin\/true/);
  });

  it('checks during the build that every entrypoint the deployments and operators run exists', () => {
    const build = all(stageRunning(/\bnpm run build\b/), 'RUN').join(' ');
    for (const entrypoint of [...APPS.map(appEntrypoint), MIGRATE_ENTRYPOINT, CLI_ENTRYPOINT]) expect(build).toContain(`test -f ${entrypoint}`);
  });

  it('runs on a supported Node LTS (22), pinned to an exact release, slim, as uid 10001, in production mode', () => {
    expect(runtime?.name).toBe('runtime');
    // Exact: node:22.x.y-…slim (>= 22.9 for --env-file-if-exists, which compose uses), optionally by digest.
    expect(runtime?.from).toMatch(/^node:22\.(9|[1-9]\d)\.\d+-(bookworm-)?slim(@sha256:[0-9a-f]{64})?$/);
    expect(all(runtime, 'USER')).toEqual(['10001:10001']);
    expect(all(runtime, 'ENV').join(' ')).toMatch(/\bNODE_ENV=production\b/);
  });

  it('ships only build output from the build stage, never the build context', () => {
    const copies = all(runtime, 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy).toMatch(/^--from=\w+\s/);
    const targets = copies.map((copy) => copy.split(/\s+/).at(-1));
    expect(targets).toEqual(expect.arrayContaining(['./package.json', './node_modules', './dist', './prisma']));
    expect(all(runtime, 'ADD')).toEqual([]);
  });

  it('ships no emulators, test helpers or benchmark in the runtime image', () => {
    const distCopy = all(runtime, 'COPY').find((copy) => copy.split(/\s+/).at(-1) === './dist');
    expect(distCopy).toBe('--from=build /app/dist-runtime ./dist');
    const prune = all(stageRunning(/\bnpm run build\b/), 'RUN').find((run) => run.includes('dist-runtime')) ?? '';
    expect(prune).toMatch(/\bcp -a dist dist-runtime\b/);
    for (const removed of ['dist-runtime/libs/emulators', 'dist-runtime/libs/testing', 'dist-runtime/bench', 'dist-runtime/scripts/start.js', 'dist-runtime/scripts/sandbox-emulators.js']) {
      expect(prune).toContain(removed);
    }
    // …and the build fails if anything left behind still imports them.
    expect(prune).toMatch(/! grep -rlE "libs\/\(emulators\|testing\)\/\|\/bench\/" dist-runtime/);
  });

  it('has a separate `sandbox` target with the emulators for compose, which is not the default (last) target', () => {
    const sandbox = stages.find((stage) => stage.name === 'sandbox');
    expect(sandbox).toBeDefined();
    expect(sandbox).not.toBe(runtime);
    expect(sandbox?.from).toBe(runtime?.from);
    expect(all(sandbox, 'USER')).toEqual(['10001:10001']);
    expect(JSON.parse(all(sandbox, 'CMD')[0] ?? 'null')).toEqual(['node', 'dist/scripts/sandbox-emulators.js']);
  });

  it('starts ingress by default, with node itself in exec form (no shell, no entrypoint script)', () => {
    expect(all(runtime, 'ENTRYPOINT')).toEqual(['[]']);
    const commands = all(runtime, 'CMD');
    expect(commands).toHaveLength(1);
    expect(JSON.parse(commands[0] ?? 'null')).toEqual(['node', appEntrypoint(APPS[0])]);
  });
});

describe('.dockerignore', () => {
  const ignored = readRepoFile('.dockerignore').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));

  it('keeps dependencies, build output, VCS data and local env files out of the build context', () => {
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', '.env', '.env.*']));
  });

  it('keeps what the build needs', () => {
    for (const needed of ['package.json', 'package-lock.json', 'apps', 'libs', 'scripts', 'prisma', '.swcrc', 'tsconfig.base.json']) expect(ignored).not.toContain(needed);
  });
});
