// Jest runs our ESM TypeScript through swc (no type-check here: `npm run typecheck` does that).
// Run with NODE_OPTIONS=--experimental-vm-modules (scripts/test.mjs sets it): NestJS 12 is ESM-only.
import { readFileSync } from 'node:fs';

const swcrc = JSON.parse(readFileSync(new URL('./.swcrc', import.meta.url), 'utf8'));
const aliases = Object.fromEntries(
  Object.entries(swcrc.jsc.paths).map(([alias, [target]]) => [`^${alias.replace('/', '\\/')}$`, `<rootDir>/${target}`]),
);

/** @type {import('jest').Config} */
export default {
  rootDir: '.',
  // A cache per checkout: transforms from other checkouts or Jest runs never leak in.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    ...aliases,
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // Jest on Node 20 cannot require() an ES module (Node itself can since 20.19: production is
    // unaffected). @fastify/static (Bull Board, the ops console) require()s content-disposition 3,
    // which is ESM-only; under Jest it gets our own content-disposition 2: CommonJS, same exports.
    '^content-disposition$': '<rootDir>/node_modules/content-disposition/dist/index.js',
  },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcrc, jsc: { ...swcrc.jsc, baseUrl: undefined, paths: undefined }, module: { type: 'es6' }, sourceMaps: 'inline' }],
  },
  testMatch: ['<rootDir>/{apps,libs,scripts,tools,e2e,deploy,bench}/**/*.{spec,int-spec,e2e-spec}.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  testTimeout: 30_000,
};
