/**
 * `npm start`: checks Postgres and Redis, applies migrations, then runs the four services in this
 * terminal with prefixed, readable logs. With no credentials it runs in sandbox mode: emulators of
 * the Telegram Bot API and Genesys Cloud stand in, and http://localhost:3000/sandbox lets a person
 * chat as the customer and answer as the agent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { CREDENTIAL_VARIABLES, ConfigError, loadConfig } from '@tgg/config';
import { SandboxEnvironment } from '@tgg/emulators';
import { migrate } from './migrate.js';

const SERVICES = ['ingress', 'sequencer', 'dispatcher', 'outbound'] as const;
const COLORS = ['\u001b[36m', '\u001b[35m', '\u001b[33m', '\u001b[32m'];
const RESET = '\u001b[0m';

async function main(): Promise<void> {
  const { preflight } = (await import(new URL('../../scripts/preflight.mjs', import.meta.url).href)) as typeof import('./preflight.mjs');
  const problems = await preflight();
  if (problems.length) fail(problems.join('\n'));

  const env: Record<string, string | undefined> = { ...process.env, LOG_FORMAT: process.env['LOG_FORMAT'] ?? 'pretty' };
  const sandbox = CREDENTIAL_VARIABLES.every((name) => !process.env[name]);
  let environment: SandboxEnvironment | undefined;
  if (sandbox) {
    env['ENCRYPTION_KEY'] ??= sandboxEncryptionKey();
    const probe = loadConfigOrFail({ ...env });
    environment = await SandboxEnvironment.start(
      { telegram: Number(process.env['SANDBOX_TELEGRAM_PORT'] ?? 3010), genesys: Number(process.env['SANDBOX_GENESYS_PORT'] ?? 3011), control: Number(process.env['SANDBOX_CONTROL_PORT'] ?? 3012) },
      { ingressUrl: `http://127.0.0.1:${probe.http.ports.ingress}`, outboundUrl: `http://127.0.0.1:${probe.http.ports.outbound}` },
    );
    Object.assign(env, environment.credentials, { TGG_SANDBOX: 'true', TGG_SANDBOX_CONTROL_URL: environment.controlUrl });
  }
  const config = loadConfigOrFail(env);
  await migrate(config.db.url, (line) => console.log(`migrate    │ ${line}`));

  const children = SERVICES.map((service, index) => startChild(service, COLORS[index] ?? '', env));
  const stopAll = async (code: number) => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
    await environment?.close();
    process.exit(code);
  };
  for (const [index, child] of children.entries()) {
    child.once('exit', (code, signal) => {
      if (signal === 'SIGTERM') return;
      console.error(`${SERVICES[index]} stopped (${code ?? signal}); stopping the others`);
      void stopAll(1);
    });
  }
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  const base = config.http.publicBaseUrl;
  console.log(
    sandbox
      ? `\nSandbox mode (no credentials set): open ${base}/sandbox to chat as a customer and answer as an agent.\n`
      : `\nRunning with the credentials of channel "default"; Telegram webhook URL: ${base}/telegram/webhook/default\n`,
  );
}

function startChild(service: string, color: string, env: Record<string, string | undefined>): ChildProcess {
  // Traces name their service as in docker-compose.yml and deploy/k8s (used when OTEL_EXPORTER_OTLP_ENDPOINT is set).
  const child = spawn(process.execPath, [path.resolve(`dist/apps/${service}/src/main.js`)], { env: { ...env, OTEL_SERVICE_NAME: `tgg-${service}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `${color}${service.padEnd(10)}${RESET} │ `;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) readline.createInterface({ input: stream }).on('line', (line) => console.log(`${prefix}${line}`));
  }
  return child;
}

/** One key per checkout, so channels written in an earlier sandbox run stay readable. */
function sandboxEncryptionKey(): string {
  const file = path.resolve('.sandbox/encryption-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

function loadConfigOrFail(env: Record<string, string | undefined>) {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

await main().catch((error: unknown) => fail(`npm start failed: ${error instanceof Error ? error.message : String(error)}`));
