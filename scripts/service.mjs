// `npm run service -- <ingress|sequencer|dispatcher|outbound>`: runs one service from dist/ exactly
// as its container does (Dockerfile CMD, deploy/k8s `command`): `node dist/apps/<name>/src/main.js`
// with this environment and NODE_ENV=production unless set (the image's ENV). Tracing needs no
// preload: main.js imports @tgg/telemetry/register first (docs/adr/0004). Builds dist/ first only
// when a source is newer. Any number of each may run against the same Redis and Postgres, each on
// its own port (INGRESS_PORT, SEQUENCER_PORT, …).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { buildIfStale } from './build-if-stale.mjs';

const SERVICES = ['ingress', 'sequencer', 'dispatcher', 'outbound'];

const [name, ...rest] = process.argv.slice(2);
if (!SERVICES.includes(name) || rest.length > 0) {
  const given = name === undefined ? 'no service named' : `unknown service '${[name, ...rest].join(' ')}'`;
  console.error(`npm run service -- <name>: ${given}; name one of ${SERVICES.join(', ')}`);
  process.exit(2);
}

const target = `dist/apps/${name}/src/main.js`;
buildIfStale(target);

const child = spawn(process.execPath, [target], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: process.env['NODE_ENV'] ?? 'production' },
});

// SIGTERM (an orchestrator, `kill`, npm forwarding it) reaches only this process: pass it on, the
// service drains and exits 0. SIGINT from a terminal's Ctrl-C already reaches the service itself
// (same process group), and npm forwards another copy here: passing that on too would be the
// service's "second signal, exit now" — so this process only outlives it.
process.on('SIGTERM', () => child.kill('SIGTERM'));
process.on('SIGHUP', () => child.kill('SIGTERM'));
process.on('SIGINT', () => {});

child.once('error', (error) => {
  console.error(`cannot run ${target}: ${error.message}`);
  process.exit(1);
});
// A signal-killed service reports like a shell does: 128 + signal number.
child.once('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 15)));
