/**
 * `npm run bench`: the real services against the local emulators, on loopback. Measures ingress
 * throughput and ack latency (fixed 1,000/s and saturation) against two bare Fastify baselines
 * run in the same process layout, end-to-end webhook → Genesys latency at 1,000 messages/s over
 * 500 chats, agent reply → Telegram latency, loss/duplicates/order violations, and peak RSS.
 * Prints a table and writes bench/results/latest.json. Figures depend on the machine: compare
 * runs on the same one (docs/performance.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { BridgeHarness, HARNESS_CREDENTIALS, baseDatabaseUrl, eventually } from '@tgg/testing';
import { createBenchDatabase } from './bench-database.js';
import { checkDelivery, type DeliveryCheck } from './delivery-check.js';
import { runLoad, type LoadResult } from './load-generator.js';
import { cpuSeconds, peakRssMiB } from './peak-rss.js';

const PHASE_S = Number(process.env['BENCH_PHASE_S'] ?? 10);
const FIXED_RATE = 1000;
const CHATS = 500;
const SATURATION_CONNECTIONS = 64;

let updateId = 1;
const nextMessageIdByChat = new Map<number, number>();

/** A realistic text update; each call is a new update of the next chat in turn, in message order per chat. */
function nextUpdateBody(chatBase: number, sentAt?: Map<string, number>): string {
  const chatId = chatBase + (updateId % CHATS);
  const messageId = (nextMessageIdByChat.get(chatId) ?? 0) + 1;
  nextMessageIdByChat.set(chatId, messageId);
  sentAt?.set(`${chatId}:${messageId}`, Date.now());
  const id = updateId++;
  return JSON.stringify({
    update_id: id,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Bench' },
      from: { id: chatId, is_bot: false, first_name: 'Bench', username: `bench_${chatId}`, language_code: 'en' },
      text: `benchmark message ${messageId} of chat ${chatId}: where is my order?`,
    },
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function startBareServer(mode: 'plain' | 'redis'): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.resolve('dist/bench/bare-server.js'), mode, '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare server (${mode}) exited with ${code}`)));
    readline.createInterface({ input: child.stdout! }).once('line', (line) => resolve(Number(line.split(' ')[1]))); // stdout is piped above
  });
  return { url: `http://127.0.0.1:${port}/telegram/webhook/default`, child };
}

async function measureBare(mode: 'plain' | 'redis'): Promise<{ fixed: LoadResult; saturation: LoadResult; peakRssMiB?: number }> {
  const { url, child } = await startBareServer(mode);
  const headers = { 'x-telegram-bot-api-secret-token': 'x' };
  const fixed = await runLoad({ url, durationS: PHASE_S, connections: 32, overallRate: FIXED_RATE, headers, nextBody: () => nextUpdateBody(1_000_000_000) });
  const saturation = await runLoad({ url, durationS: PHASE_S, connections: SATURATION_CONNECTIONS, headers, nextBody: () => nextUpdateBody(1_000_000_000) });
  const rss = peakRssMiB(child.pid);
  child.kill('SIGTERM');
  return { fixed, saturation, peakRssMiB: rss };
}

async function waitForGenesys(bridge: BridgeHarness, expected: number, label: string): Promise<number> {
  const started = Date.now();
  let lastReport = started;
  await eventually(() => {
    const delivered = new Set(bridge.genesys.inbound.map((record) => record.body.channel.messageId)).size;
    if (Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      console.log(`  … ${label}: ${delivered}/${expected} at Genesys`);
    }
    if (delivered < expected) throw new Error(`${label}: ${delivered}/${expected} delivered`);
  }, 300_000, 100);
  return Date.now() - started;
}

const benchStartedAtMs = Date.now();

async function main(): Promise<void> {
  console.log(`benchmark: ${os.cpus().length} CPU(s), ${PHASE_S} s per phase, offered load ${FIXED_RATE}/s, ${CHATS} chats`);
  console.log('▶ baselines: bare Fastify (200) and bare Fastify + one Redis write');
  const plain = await measureBare('plain');
  const redisWrite = await measureBare('redis');

  const database = await createBenchDatabase(baseDatabaseUrl());
  const withOutbound = existsSync(path.resolve('dist/apps/outbound/src/main.js'));
  const bridge = await BridgeHarness.start({ services: withOutbound ? ['ingress', 'sequencer', 'dispatcher', 'outbound'] : ['ingress', 'sequencer', 'dispatcher'], database, windowMs: 300, env: { LOG_LEVEL: 'error', ...(process.env['BENCH_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['BENCH_NODE_OPTIONS'] } : {}) } });
  try {
    const ingressUrl = `${bridge.url('ingress')}/telegram/webhook/default`;
    const headers = { 'x-telegram-bot-api-secret-token': HARNESS_CREDENTIALS.webhookSecret };
    const expected = new Map<string, number[]>();
    const recordExpected = (body: string) => {
      const parsed = JSON.parse(body) as { message: { chat: { id: number }; message_id: number } };
      const key = String(parsed.message.chat.id);
      expected.set(key, [...(expected.get(key) ?? []), parsed.message.message_id]);
      return body;
    };

    console.log('▶ ingress at a fixed 1,000 updates/s (full pipeline running)');
    const ingressFixed = await runLoad({ url: ingressUrl, durationS: PHASE_S, connections: 32, overallRate: FIXED_RATE, headers, nextBody: () => recordExpected(nextUpdateBody(2_000_000_000)) });
    console.log('▶ ingress at saturation');
    const ingressSaturation = await runLoad({ url: ingressUrl, durationS: PHASE_S, connections: SATURATION_CONNECTIONS, headers, nextBody: () => recordExpected(nextUpdateBody(3_000_000_000)) });
    const acked = [...expected.values()].reduce((sum, ids) => sum + ids.length, 0);
    console.log(`▶ draining the backlog of ${acked} acknowledged updates`);
    const drainMs = await waitForGenesys(bridge, acked, 'backlog');

    console.log(`▶ end to end at ${FIXED_RATE} messages/s over ${CHATS} chats`);
    const services = withOutbound ? (['ingress', 'sequencer', 'dispatcher', 'outbound'] as const) : (['ingress', 'sequencer', 'dispatcher'] as const);
    const cpuBefore = Object.fromEntries(services.map((service) => [service, cpuSeconds(bridge.pidOf(service)) ?? 0]));
    const e2eStartedAtMs = Date.now();
    const sentAt = new Map<string, number>();
    const e2eExpected = new Map<string, number[]>();
    const e2eStartIndex = bridge.genesys.inbound.length;
    const e2eLoad = await runLoad({
      url: ingressUrl,
      durationS: PHASE_S,
      connections: 32,
      overallRate: FIXED_RATE,
      headers,
      nextBody: () => {
        const body = nextUpdateBody(4_000_000_000, sentAt);
        const parsed = JSON.parse(body) as { message: { chat: { id: number }; message_id: number } };
        e2eExpected.set(String(parsed.message.chat.id), [...(e2eExpected.get(String(parsed.message.chat.id)) ?? []), parsed.message.message_id]);
        return body;
      },
    });
    const e2eAcked = [...e2eExpected.values()].reduce((sum, ids) => sum + ids.length, 0) - e2eLoad.non2xx;
    await waitForGenesys(bridge, acked + e2eAcked, 'end-to-end');
    const e2eWallS = (Date.now() - e2eStartedAtMs) / 1000;
    // Share of one core each service used during the end-to-end phase: where the time goes.
    const cpuShare = Object.fromEntries(services.map((service) => [service, round(((cpuSeconds(bridge.pidOf(service)) ?? 0) - (cpuBefore[service] ?? 0)) / e2eWallS)]));
    const benchCpuShare = round(process.cpuUsage().user / 1e6 / ((Date.now() - benchStartedAtMs) / 1000));
    const e2eRecords = bridge.genesys.inbound.slice(e2eStartIndex);
    const latencies = e2eRecords
      .map((record) => record.atMs - (sentAt.get(record.body.channel.messageId) ?? Number.NaN))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const inboundCheck: DeliveryCheck = checkDelivery(new Map([...expected, ...e2eExpected]), bridge.genesys.inbound);

    const replyLatencies: number[] = [];
    const replyChats = withOutbound ? [...e2eExpected.keys()].slice(0, 200) : [];
    console.log(withOutbound ? '▶ agent replies → Telegram (200 replies to 200 chats at 20/s)' : '▶ agent replies skipped: no outbound service built');
    const replySentAt = new Map<string, number>();
    for (const [index, chatId] of replyChats.entries()) {
      replySentAt.set(chatId, Date.now());
      void bridge.genesys.sendAgentMessage(HARNESS_CREDENTIALS.integrationId, { toId: chatId, text: `agent reply ${index}` });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await eventually(() => {
      if (bridge.telegram.callsTo('sendMessage').length < replyChats.length) throw new Error('replies pending');
    }, 120_000, 100);
    for (const call of bridge.telegram.callsTo('sendMessage')) {
      const sent = replySentAt.get(String(call.params['chat_id']));
      if (sent !== undefined) replyLatencies.push(call.atMs - sent);
    }
    replyLatencies.sort((a, b) => a - b);

    const rss = Object.fromEntries((['ingress', 'sequencer', 'dispatcher', 'outbound'] as const).map((service) => [service, peakRssMiB(bridge.pidOf(service))]));
    const results = {
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version },
      phaseSeconds: PHASE_S,
      baselines: { bareFastify: plain, bareFastifyRedisWrite: redisWrite },
      ingress: {
        fixed1000: ingressFixed,
        saturation: ingressSaturation,
        ratioToBareFastify: round(ingressSaturation.requestsPerS / plain.saturation.requestsPerS),
        ratioToBareFastifyRedis: round(ingressSaturation.requestsPerS / redisWrite.saturation.requestsPerS),
        backlogDrainMs: drainMs,
      },
      endToEnd: {
        offeredPerS: FIXED_RATE,
        chats: CHATS,
        windowMs: 300,
        messages: latencies.length,
        p50Ms: percentile(latencies, 50),
        p95Ms: percentile(latencies, 95),
        p99Ms: percentile(latencies, 99),
        cpuCoresUsed: cpuShare,
        loadGeneratorAndEmulatorsCpuCores: benchCpuShare,
      },
      agentReplies: { replies: replyLatencies.length, p50Ms: percentile(replyLatencies, 50), p99Ms: percentile(replyLatencies, 99) },
      delivery: inboundCheck,
      peakRssMiB: rss,
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/latest.json', `${JSON.stringify(results, null, 2)}\n`);
    printTable(results);
  } finally {
    await bridge.stop();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function printTable(results: {
  baselines: { bareFastify: { fixed: LoadResult; saturation: LoadResult }; bareFastifyRedisWrite: { fixed: LoadResult; saturation: LoadResult } };
  ingress: { fixed1000: LoadResult; saturation: LoadResult; ratioToBareFastify: number; ratioToBareFastifyRedis: number; backlogDrainMs: number };
  endToEnd: { p50Ms: number; p95Ms: number; p99Ms: number; messages: number; cpuCoresUsed: Record<string, number>; loadGeneratorAndEmulatorsCpuCores: number };
  agentReplies: { p50Ms: number; p99Ms: number; replies: number };
  delivery: DeliveryCheck;
  peakRssMiB: Record<string, number | undefined>;
}): void {
  const row = (name: string, load: LoadResult) => console.log(`${name.padEnd(34)} ${String(load.requestsPerS).padStart(8)} req/s   ack p50 ${String(load.ackP50Ms).padStart(4)} ms   p99 ${String(load.ackP99Ms).padStart(4)} ms   non-2xx ${load.non2xx}`);
  console.log('\n== results ==');
  row('bare Fastify, 1,000/s', results.baselines.bareFastify.fixed);
  row('bare Fastify, saturation', results.baselines.bareFastify.saturation);
  row('bare Fastify + Redis write, 1,000/s', results.baselines.bareFastifyRedisWrite.fixed);
  row('bare Fastify + Redis write, saturation', results.baselines.bareFastifyRedisWrite.saturation);
  row('ingress, 1,000/s', results.ingress.fixed1000);
  row('ingress, saturation', results.ingress.saturation);
  console.log(`ingress / bare Fastify: ${results.ingress.ratioToBareFastify}   ingress / bare Fastify + Redis: ${results.ingress.ratioToBareFastifyRedis}   backlog drained in ${results.ingress.backlogDrainMs} ms`);
  console.log(`end to end (webhook → Genesys), ${results.endToEnd.messages} messages: p50 ${results.endToEnd.p50Ms} ms, p95 ${results.endToEnd.p95Ms} ms, p99 ${results.endToEnd.p99Ms} ms`);
  console.log(`CPU cores used during it: ${Object.entries(results.endToEnd.cpuCoresUsed).map(([service, cores]) => `${service} ${cores}`).join(', ')}; load generator + emulators ${results.endToEnd.loadGeneratorAndEmulatorsCpuCores}`);
  console.log(`agent reply → Telegram, ${results.agentReplies.replies} replies: p50 ${results.agentReplies.p50Ms} ms, p99 ${results.agentReplies.p99Ms} ms`);
  const d = results.delivery;
  console.log(`delivery: ${d.delivered}/${d.expected} delivered, lost ${d.lost}, duplicates ${d.duplicates}, order violations ${d.orderViolations}`);
  console.log(`peak RSS (MiB): ${Object.entries(results.peakRssMiB).map(([service, mib]) => `${service} ${mib ?? '?'}`).join(', ')}`);
  console.log('written: bench/results/latest.json');
}

await main().catch((error: unknown) => {
  console.error(`benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
