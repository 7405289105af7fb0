import { APPS, appEntrypoint, MIGRATE_ENTRYPOINT, readRepoFile } from './testing/index.js';

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

  it('checks during the build that every entrypoint the deployments run exists', () => {
    const build = all(stageRunning(/\bnpm run build\b/), 'RUN').join(' ');
    for (const entrypoint of [...APPS.map(appEntrypoint), MIGRATE_ENTRYPOINT]) expect(build).toContain(`test -f ${entrypoint}`);
  });

  it('runs on Node 20 slim (or distroless), as uid 10001, in production mode', () => {
    expect(runtime?.from).toMatch(/^(node:20[\w.-]*-slim|gcr\.io\/distroless\/nodejs20[\w.-]*)(@sha256:[0-9a-f]{64})?$/);
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
