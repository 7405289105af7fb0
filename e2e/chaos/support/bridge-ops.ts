import pg from 'pg';
import type { BridgeHarness } from '@tgg/testing';
import type { CliIo } from '../../../apps/cli/src/cli-io.js';
import { runCli } from '../../../apps/cli/src/run-cli.js';

/** The operator CLI in-process against the harness' database, Redis and queue prefix, as an operator would run it. */
export async function operatorCli(bridge: BridgeHarness, argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = {
    writeOut: (text) => stdout.push(text),
    writeErr: (text) => stderr.push(text),
    readStdinLine: () => Promise.reject(new Error('no stdin in the chaos suite')),
  };
  const exitCode = await runCli(argv, { PATH: process.env['PATH'], ...bridge.env }, io);
  return { exitCode, stdout: stdout.join(''), stderr: stderr.join('') };
}

/** A direct connection to the harness database (never through a test proxy). */
export async function connectDb(bridge: BridgeHarness): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: bridge.db.url });
  await client.connect();
  return client;
}

/** Chats that have written before, as far as outbound can tell: a conversations row each. */
export async function customersWrote(db: pg.Client, chatIds: readonly string[]): Promise<void> {
  await db.query(
    `INSERT INTO conversations (id, channel_id, chat_id, updated_at)
     SELECT gen_random_uuid(), channels.id, chats.chat_id::bigint, now() FROM channels, unnest($1::text[]) AS chats(chat_id) WHERE channels.name = 'default'`,
    [chatIds],
  );
}

/** chat id → Genesys conversation id, for the chats given that have a mapping row. */
export async function mappings(db: pg.Client, chatIds: readonly string[]): Promise<Map<string, string | null>> {
  const { rows } = await db.query<{ chat_id: string; genesys_conversation_id: string | null }>(
    'SELECT chat_id::text, genesys_conversation_id FROM conversations WHERE chat_id = ANY($1::bigint[])',
    [chatIds],
  );
  return new Map(rows.map((row) => [row.chat_id, row.genesys_conversation_id]));
}

/** Message log rows by status for the chats given. */
export async function messageLogStatuses(db: pg.Client, chatIds: readonly string[], direction: 'inbound' | 'outbound'): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(
    'SELECT status::text, count(*)::int AS n FROM messages WHERE direction = $2 AND chat_id = ANY($1::bigint[]) GROUP BY status',
    [chatIds, direction],
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

/** Chat ids of one scenario: distinct from every other file's. */
export function chatIds(base: number, count: number): string[] {
  return Array.from({ length: count }, (_, index) => String(base + index));
}
