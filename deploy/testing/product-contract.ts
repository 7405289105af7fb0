import { existsSync, readFileSync } from 'node:fs';
import { CREDENTIAL_VARIABLES } from '@tgg/config';
import { repoPath } from './deploy-files.js';

/** The four services, their ports and trace names, as the product defines them (SPEC §3, §8). */
export const APPS = [
  { name: 'ingress', port: 3000, portVariable: 'INGRESS_PORT', serviceName: 'tgg-ingress', public: true },
  { name: 'outbound', port: 3001, portVariable: 'OUTBOUND_PORT', serviceName: 'tgg-outbound', public: true },
  { name: 'sequencer', port: 3002, portVariable: 'SEQUENCER_PORT', serviceName: 'tgg-sequencer', public: false },
  { name: 'dispatcher', port: 3003, portVariable: 'DISPATCHER_PORT', serviceName: 'tgg-dispatcher', public: false },
] as const;
export type App = (typeof APPS)[number];

export function appEntrypoint(app: App): string {
  return `dist/apps/${app.name}/src/main.js`;
}
export const MIGRATE_ENTRYPOINT = 'dist/scripts/migrate.js';
/** The operator CLI (SPEC §7), which operators run inside a service's container (docs/runbooks/README.md). */
export const CLI_ENTRYPOINT = 'dist/apps/cli/src/main.js';

/** Never given a value in a committed file. */
export const SECRET_VARIABLES = [...CREDENTIAL_VARIABLES, 'ENCRYPTION_KEY'] as const;

/** Connection strings that carry passwords in production, so Kubernetes keeps them in the Secret too. */
export const CONNECTION_VARIABLES = ['DATABASE_URL', 'REDIS_URL'] as const;

/** Read by the product although SPEC §3's table does not list them (SPEC §5, §6 and the brief of §8/§9). */
export const VARIABLES_OUTSIDE_THE_TABLE = [
  'TELEGRAM_ALLOWED_CIDRS',
  'TRUST_PROXY',
  'MESSAGE_RETENTION_DAYS',
  'OTEL_SERVICE_NAME',
  'NODE_ENV',
  // Metrics are scraped by Prometheus and logs go to stdout, so the SDK must not push either over OTLP.
  'OTEL_METRICS_EXPORTER',
  'OTEL_LOGS_EXPORTER',
] as const;

/** SPEC §3's table as of this writing; used only when SPEC.md is not next to the repository. */
const SPEC_TABLE_FALLBACK = [
  'DATABASE_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'TELEGRAM_API_BASE_URL', 'TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET',
  'GENESYS_LOGIN_BASE_URL', 'GENESYS_API_BASE_URL', 'GENESYS_CLIENT_ID', 'GENESYS_CLIENT_SECRET', 'GENESYS_INTEGRATION_ID',
  'GENESYS_WEBHOOK_SECRET', 'PUBLIC_BASE_URL', 'INGRESS_PORT', 'OUTBOUND_PORT', 'SEQUENCER_PORT', 'DISPATCHER_PORT',
  'SEQUENCER_WINDOW_MS', 'MEDIA_URL_TTL_S', 'ENCRYPTION_KEY', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'LOG_LEVEL',
];

/** Every `UPPER_CASE` name in backticks inside the table of the section "## 3." of SPEC.md. */
export function parseSpecVariableTable(markdown: string): string[] {
  const section = markdown.split(/^## /m).find((candidate) => candidate.startsWith('3.'));
  if (section === undefined) throw new Error('SPEC.md has no section "## 3."');
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('|') || /^\|[\s|:-]+\|?$/.test(line)) continue;
    for (const match of line.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(match[1] ?? '');
  }
  names.delete('');
  return [...names];
}

export const SPEC_PATH = repoPath('..', 'shared', 'SPEC.md');

export function specVariables(): { names: string[]; source: string } {
  if (!existsSync(SPEC_PATH)) return { names: SPEC_TABLE_FALLBACK, source: 'the built-in copy of SPEC §3' };
  return { names: parseSpecVariableTable(readFileSync(SPEC_PATH, 'utf8')), source: SPEC_PATH };
}
