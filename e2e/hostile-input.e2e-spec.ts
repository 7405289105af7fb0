import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { signGenesysWebhook } from '@tgg/genesys';
import { HTTP_TIMEOUTS, WEBHOOK_BODY_LIMIT_BYTES } from '@tgg/service-runtime';
import { ALL_QUEUES, QueueName } from '@tgg/queues';
import { BridgeHarness, HARNESS_CREDENTIALS, aTextUpdate, eventually, redisUrl, type BridgeServiceName } from '@tgg/testing';

/**
 * Hostile input against the real ingress and outbound processes: fast-check generates bodies that
 * are random, deep, huge, wrongly typed, oddly encoded, truncated or not JSON at all, sends them
 * with the right Telegram secret or a valid Genesys signature over exactly the bytes sent (so they
 * reach the parsers rather than bouncing at the auth check), and checks that every answer is a 2xx
 * or a 4xx, that a 4xx enqueues nothing, and that both processes stay up with flat memory while a
 * slow-loris upload is going on next to them.
 *
 * A 2xx is not an error: a body may be a valid envelope. Ingress checks only the envelope (integer
 * update_id ≥ 0); an update with a forwardable kind is enqueued even when its message would fail
 * deep validation (the sequencer dead-letters it later, by design), any other kind is acknowledged
 * and ignored, and a repeated update_id is acknowledged and does nothing. Outbound enqueues an
 * authentic, well-formed Text/Structured/Event, acknowledges a Receipt and a repeated message id.
 * So a 2xx adds at most one job to its webhook's queue; a 4xx adds none. The content type is not
 * looked at (raw-body.ts): the bytes decide, so a valid update sent as text/plain is still a 200.
 * Router-level refusals (a broken %-escape in :channel → 400, one over 100 characters → 414) come
 * from Fastify in its own JSON shape; they still carry `error` and `message`.
 */

const SEED = Number(process.env['FUZZ_SEED'] ?? 20_260_611);
/** Requests per webhook; with the rest of the file this keeps it well under a minute on 2 cores. */
const RUNS_PER_WEBHOOK = 600;
const MIB = 1024 * 1024;
/** RSS a process may gain over the storms after warm-up; a leak of request bodies would be far past it. */
const RSS_GROWTH_BOUND_BYTES = 64 * MIB;
/** The same for the V8 heap in use after a full collection: the sharper leak signal. */
const HEAP_GROWTH_BOUND_BYTES = 32 * MIB;

/**
 * RSS swings by tens of MiB with V8's garbage collection alone (a 1 MiB body makes several MiB of
 * short-lived strings), so one sample can sit anywhere on the sawtooth. The services run with this
 * preload (NODE_OPTIONS): on SIGWINCH — a signal nothing else uses, unlike SIGUSR2, which Nest's
 * shutdown hooks take — it runs a full collection and reports the heap in use, so memory is
 * compared after a collection both times.
 */
const GC_PRELOAD = `process.on('SIGWINCH', () => {
  globalThis.gc();
  process.stderr.write('hostile-input-gc heapUsed=' + process.memoryUsage().heapUsed + '\\n');
});
`;
const GC_MARKER = /hostile-input-gc heapUsed=(\d+)/g;
/** Failsafe for one request: an answer later than this counts as a hang. */
const REQUEST_FAILSAFE_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// What is sent: small printable recipes (a failing case prints readably), built into bytes late.
// ---------------------------------------------------------------------------------------------

type Target = 'telegram' | 'genesys';

type BodyRecipe =
  | { kind: 'json'; value: unknown }
  | { kind: 'anything'; value: unknown }
  | { kind: 'shaped'; value: unknown }
  | { kind: 'deep'; depth: number; shape: 'array' | 'object'; where: 'top' | 'inside' | 'extra' }
  | { kind: 'huge'; bytes: number; unit: 'ascii' | 'two-byte' | 'emoji' | 'escaped-nul'; where: 'text' | 'key' | 'extra' | 'kind' }
  | { kind: 'unicode'; text: string; encoding: 'stringify' | 'raw' }
  | { kind: 'invalid-utf8'; bytes: number[] }
  | { kind: 'truncated'; cut: number }
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'literal'; text: string };

type ContentType = 'application/json' | 'text/plain' | 'multipart' | 'none' | 'application/x-www-form-urlencoded' | 'application/octet-stream' | 'application/json; charset=utf-16';

interface HostileRequest {
  body: BodyRecipe;
  contentType: ContentType;
  /** The path segment after /webhook/: mostly the real channel, sometimes odd text (percent-encoded UTF-8) or a broken escape. */
  channel: string;
}

const UNICODE_EDGES = [
  '\uD800', // lone high surrogate
  '\uDBFF',
  '\uDC00', // lone low surrogate
  '\u0000',
  '\u200F', // RTL mark
  '\u202E', // RTL override
  '\u2066',
  '\u200D',
  '👨‍👩‍👧‍👦', // ZWJ family
  '🏳️‍🌈',
  '\uFEFF',
  'e\u0301',
  '\uFFFE',
  '\uFFFF',
  '\u2028',
  '\u2029',
  '"',
  '\\',
  '𝕏',
  'ア',
  'a',
];

const unicodeText = fc.oneof(
  fc.array(fc.constantFrom(...UNICODE_EDGES), { maxLength: 40 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

/** update_id values Telegram would never send, plus valid ones so some bodies pass. */
const updateIdValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.double(),
  fc.integer({ max: -1 }),
  fc.constantFrom(2 ** 53, 2 ** 60, 1e21, 1e300, -0, 0.5, Number.MAX_SAFE_INTEGER),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.nat(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.nat(), { maxKeys: 2 }),
  fc.nat({ max: 2 ** 31 }),
);

const chatIdValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.double(),
  fc.constantFrom(2 ** 60, -(2 ** 60), 2 ** 53 + 1, 1e300, 0.1),
  fc.integer(),
  fc.constant(null),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.nat(), { maxKeys: 2 }),
);

const telegramMessageValue = fc.oneof(
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.string({ maxLength: 20 }),
  fc.constant(null),
  fc.integer(),
  fc.record(
    {
      message_id: fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.double()),
      date: fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
      chat: fc.oneof(fc.record({ id: chatIdValue, type: fc.oneof(fc.constant('private'), fc.integer()) }, { requiredKeys: [] }), fc.string({ maxLength: 5 }), fc.constant([])),
      from: fc.record({ id: chatIdValue, first_name: unicodeText }, { requiredKeys: [] }),
      text: fc.oneof(unicodeText, fc.integer(), fc.constant(null)),
      photo: fc.oneof(fc.constant({}), fc.array(fc.record({ file_id: fc.integer(), width: fc.string({ maxLength: 3 }) }), { maxLength: 2 })),
    },
    { requiredKeys: [] },
  ),
);

const telegramShaped = fc
  .record(
    {
      update_id: updateIdValue,
      message: telegramMessageValue,
      edited_message: telegramMessageValue,
      my_chat_member: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ chat: fc.record({ id: chatIdValue }), new_chat_member: fc.string({ maxLength: 5 }) })),
      callback_query: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: ['update_id'] },
  )
  .chain((update) => fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }).map((extra) => ({ ...extra, ...update })));

const genesysIdValue = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }),
  fc.string({ maxLength: 140 }),
  fc.constantFrom('', 'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(129)),
  fc.integer(),
  fc.constant(null),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);

const genesysShaped = fc
  .record(
    {
      id: genesysIdValue,
      channel: fc.oneof(
        fc.record(
          {
            to: fc.oneof(
              fc.record({ id: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant({}), fc.constant(null), fc.constant([])), idType: fc.string({ maxLength: 8 }) }, { requiredKeys: [] }),
              fc.string({ maxLength: 8 }),
              fc.constant(null),
            ),
            time: fc.oneof(fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), fc.string({ maxLength: 8 }), fc.integer()),
            messageId: fc.oneof(fc.string({ maxLength: 40 }), fc.integer()),
          },
          { requiredKeys: [] },
        ),
        fc.string({ maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 2 }),
      ),
      type: fc.oneof(fc.constantFrom('Text', 'text', 'TEXT', 'Structured', 'Event', 'Receipt', 'receipt', 'Typing', ''), fc.string({ maxLength: 10 }), fc.integer()),
      text: fc.oneof(unicodeText, fc.integer(), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 })),
      content: fc.oneof(
        fc.array(fc.record({ contentType: fc.string({ maxLength: 10 }), attachment: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }), { maxLength: 2 }),
        fc.jsonValue({ maxDepth: 1 }),
      ),
      events: fc.oneof(fc.array(fc.record({ eventType: fc.oneof(fc.constant('Typing'), fc.integer()), typing: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }), { maxLength: 2 }), fc.string({ maxLength: 4 })),
      status: fc.oneof(fc.constantFrom('Delivered', 'Failed'), fc.integer()),
    },
    { requiredKeys: [] },
  )
  .chain((message) => fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }).map((extra) => ({ ...extra, ...message })));

const INVALID_UTF8_SEQUENCES = [[0xc0, 0x80], [0xff], [0xfe], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xf0, 0x9f, 0x98]];

function bodyRecipe(target: Target): fc.Arbitrary<BodyRecipe> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue().map((value): BodyRecipe => ({ kind: 'json', value })) },
    { weight: 2, arbitrary: fc.anything({ maxDepth: 3 }).map((value): BodyRecipe => ({ kind: 'anything', value })) },
    { weight: 8, arbitrary: (target === 'telegram' ? telegramShaped : genesysShaped).map((value): BodyRecipe => ({ kind: 'shaped', value })) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('deep' as const),
        depth: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1_000, max: 200_000 })),
        shape: fc.constantFrom('array' as const, 'object' as const),
        where: fc.constantFrom('top' as const, 'inside' as const, 'extra' as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('huge' as const),
        bytes: fc.integer({ min: MIB - 64 * 1024, max: MIB + 64 * 1024 }),
        unit: fc.constantFrom('ascii' as const, 'two-byte' as const, 'emoji' as const, 'escaped-nul' as const),
        where: fc.constantFrom('text' as const, 'key' as const, 'extra' as const, 'kind' as const),
      }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('unicode' as const), text: unicodeText, encoding: fc.constantFrom('stringify' as const, 'raw' as const) }) },
    {
      weight: 1,
      arbitrary: fc.array(fc.constantFrom(...INVALID_UTF8_SEQUENCES), { minLength: 1, maxLength: 4 }).map((sequences): BodyRecipe => ({ kind: 'invalid-utf8', bytes: sequences.flat() })),
    },
    { weight: 2, arbitrary: fc.nat({ max: 400 }).map((cut): BodyRecipe => ({ kind: 'truncated', cut })) },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 }).map((bytes): BodyRecipe => ({ kind: 'bytes', bytes })) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('', ' ', 'null', 'true', '0', '"update_id"', '[]', '{}', '{"update_id":1.0}', '{"update_id":1e3}', '{"update_id":-0}', '{"update_id":123456789012345678901234567890}', '{"update_id":1,"update_id":"x"}', '{"__proto__":{"update_id":1}}', '{"constructor":{"prototype":{"x":1}},"update_id":2}', '\uFEFF{"update_id":3}', '{"id":"x","channel":{"to":{"id":"1"}},"type":"Text","__proto__":{"type":"Text"}}')
        .map((text): BodyRecipe => ({ kind: 'literal', text })),
    },
  );
}

const contentTypes = fc.constantFrom<ContentType>('application/json', 'application/json', 'application/json', 'text/plain', 'multipart', 'none', 'application/x-www-form-urlencoded', 'application/octet-stream', 'application/json; charset=utf-16');

function hostileRequest(target: Target): fc.Arbitrary<HostileRequest> {
  const channel = fc.oneof(
    { weight: 24, arbitrary: fc.constant('default') },
    { weight: 1, arbitrary: unicodeText.filter((text) => text.length > 0).map(percentEncoded) },
    { weight: 1, arbitrary: fc.constantFrom('%C0%80', '%FF', '%', '%E2%82', 'default%00', '%00', 'x'.repeat(101), 'DEFAULT', 'default%20') },
  );
  return fc.record({ body: bodyRecipe(target), contentType: contentTypes, channel });
}

/** Every UTF-8 byte as %XX (a lone surrogate becomes U+FFFD, as any client would send it). */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

let builtBodies = 0;

/**
 * A valid body of each webhook, so a deep, huge or truncated variant has something real around it.
 * Its ids are fresh each time: a repeated update_id or Genesys id is answered 200 as a duplicate
 * before anything else happens to it, which would hide what the rest of the body does.
 */
function validBody(target: Target, text = 'hello'): Record<string, unknown> {
  const n = ++builtBodies;
  if (target === 'telegram') return aTextUpdate({ updateId: 50_000_000 + n, chatId: 4242, messageId: n, text });
  return { id: n.toString(16).padStart(32, 'f'), channel: { to: { id: '4242', idType: 'Opaque' }, time: '2026-01-01T00:00:00.000Z' }, type: 'Text', text, direction: 'Outbound' };
}

/** JSON.stringify for fc.anything: bigints as strings, undefined/functions as the literal text. */
function serialise(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner)) ?? String(value);
}

function nested(depth: number, shape: 'array' | 'object'): string {
  return shape === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function hugeText(bytes: number, unit: 'ascii' | 'two-byte' | 'emoji' | 'escaped-nul'): string {
  // In the serialised body: ascii 1 byte/char, é 2 bytes, 😀 4 bytes, NUL 6 bytes (\u0000).
  const [char, size] = ({ ascii: ['x', 1], 'two-byte': ['é', 2], emoji: ['😀', 4], 'escaped-nul': ['\u0000', 6] } as const)[unit];
  return char.repeat(Math.max(0, Math.floor(bytes / size)));
}

function buildBody(target: Target, recipe: BodyRecipe): Buffer {
  const valid = validBody(target);
  switch (recipe.kind) {
    case 'json':
    case 'anything':
    case 'shaped':
      return Buffer.from(serialise(recipe.value));
    case 'deep': {
      const deep = nested(recipe.depth, recipe.shape);
      if (recipe.where === 'top') return Buffer.from(deep);
      const key = target === 'telegram' ? 'message' : 'channel';
      const json = serialise(recipe.where === 'inside' ? { ...valid, [key]: '__DEEP__' } : { ...valid, extra: '__DEEP__' });
      return Buffer.from(json.replace('"__DEEP__"', deep));
    }
    case 'huge': {
      const text = hugeText(recipe.bytes, recipe.unit);
      if (recipe.where === 'text') return Buffer.from(serialise(validBody(target, text)));
      if (recipe.where === 'key') return Buffer.from(serialise({ ...valid, [text]: 1 }));
      // An update of a kind nobody has heard of, named by the huge text (Genesys: just a key).
      if (recipe.where === 'kind') return Buffer.from(serialise(target === 'telegram' ? { update_id: valid['update_id'], [text]: {} } : { [text]: {}, ...valid }));
      return Buffer.from(serialise({ ...valid, extra: text }));
    }
    case 'unicode': {
      if (recipe.encoding === 'stringify') return Buffer.from(serialise({ ...validBody(target, recipe.text), [recipe.text]: recipe.text }));
      // Raw: the characters go into the JSON text unescaped (a NUL or lone surrogate included).
      return Buffer.from(serialise(validBody(target, '__TEXT__')).replace('__TEXT__', recipe.text), 'utf8');
    }
    case 'invalid-utf8': {
      const [before, after] = serialise(validBody(target, '__TEXT__')).split('__TEXT__');
      return Buffer.concat([Buffer.from(before ?? ''), Buffer.from(recipe.bytes), Buffer.from(after ?? '')]);
    }
    case 'truncated': {
      const json = Buffer.from(serialise(valid));
      return json.subarray(0, recipe.cut % json.length);
    }
    case 'bytes':
      return Buffer.from(recipe.bytes);
    case 'literal':
      return Buffer.from(recipe.text);
  }
}

const MULTIPART_BOUNDARY = 'hostile-boundary-7MA4YWxkTrZu0gW';

function wrapForContentType(body: Buffer, contentType: ContentType): { bytes: Buffer; header: string | undefined } {
  if (contentType === 'none') return { bytes: body, header: undefined };
  if (contentType !== 'multipart') return { bytes: body, header: contentType };
  const bytes = Buffer.concat([
    Buffer.from(`--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="update"\r\nContent-Type: application/json\r\n\r\n`),
    body,
    Buffer.from(`\r\n--${MULTIPART_BOUNDARY}--\r\n`),
  ]);
  return { bytes, header: `multipart/form-data; boundary=${MULTIPART_BOUNDARY}` };
}

// ---------------------------------------------------------------------------------------------
// Raw sockets: slow loris and oversized uploads.
// ---------------------------------------------------------------------------------------------

interface SlowLorisOutcome {
  closedAfterMs: number | undefined;
  statusLine: string;
  bytesSent: number;
}

/** Sends `head` at once, then `dribble` bytes every `everyMs`, until the server closes the socket or the failsafe passes. */
function slowLoris(port: number, head: string, dribble: string, everyMs: number, failsafeMs: number): Promise<SlowLorisOutcome> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    let received = '';
    let bytesSent = 0;
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head);
      bytesSent += Buffer.byteLength(head);
    });
    const ticker = setInterval(() => {
      if (!socket.writable) return;
      socket.write(dribble);
      bytesSent += Buffer.byteLength(dribble);
    }, everyMs);
    const failsafe = setTimeout(() => finish(undefined), failsafeMs);
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined); // a reset after the 408 is the server closing: 'close' follows
    socket.on('close', () => finish(Date.now() - startedAt));
    let done = false;
    function finish(closedAfterMs: number | undefined): void {
      if (done) return;
      done = true;
      clearInterval(ticker);
      clearTimeout(failsafe);
      socket.destroy();
      resolve({ closedAfterMs, statusLine: received.split('\r\n')[0] ?? '', bytesSent });
    }
  });
}

interface UploadOutcome {
  /** Everything the server wrote back, in order. */
  response: string;
  /** Body bytes the client had written when the first byte of the answer arrived. */
  bodyBytesSentAtAnswer: number;
  /** Socket errors seen (ECONNRESET would mean the server reset the connection on us). */
  errors: string[];
}

/**
 * Uploads `totalBytes` of body in 64 KiB chunks (or HTTP chunks) as a naive client would, except
 * that it pauses after `pauseAfterBytes` until the server answered (failsafe: no answer). Then it
 * writes the rest anyway, ends, and collects everything until the server closes.
 */
function oversizedUpload(port: number, head: string, options: { chunked: boolean; totalBytes: number; pauseAfterBytes: number }): Promise<UploadOutcome> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const errors: string[] = [];
    let response = '';
    let sent = 0;
    let sentAtAnswer: number | undefined;
    let answered: () => void = () => undefined;
    const answer = new Promise<void>((done) => (answered = done));
    const socket = net.connect(port, '127.0.0.1');
    const failsafe = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and close within ${REQUEST_FAILSAFE_MS} ms after ${sent} body bytes`));
    }, REQUEST_FAILSAFE_MS);
    socket.on('data', (data) => {
      sentAtAnswer ??= sent;
      response += data.toString('latin1');
      answered();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    socket.on('close', () => {
      clearTimeout(failsafe);
      if (sentAtAnswer === undefined) return reject(new Error(`closed without an answer after ${sent} body bytes (${errors.join(', ')})`));
      resolve({ response, bodyBytesSentAtAnswer: sentAtAnswer, errors });
    });
    const write = (data: Buffer | string) => new Promise<void>((done) => socket.write(data, () => done()));
    const writeBody = async (upTo: number) => {
      while (sent < upTo && socket.writable) {
        const part = chunk.subarray(0, Math.min(chunk.length, upTo - sent));
        await write(options.chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]) : part);
        sent += part.length;
      }
    };
    socket.once('connect', async () => {
      await write(head);
      await writeBody(options.pauseAfterBytes);
      await answer;
      await writeBody(options.totalBytes);
      if (options.chunked && socket.writable) await write('0\r\n\r\n');
      socket.end();
    });
  });
}

/**
 * Writes the head and the whole body at once without looking at the answer, then ends its side, as
 * a naive client does (curl and fetch behave the same way), and collects what came back until the
 * server closed. A reset shows up in `errors`.
 */
function fullUpload(port: number, head: string, totalBytes: number): Promise<{ response: string; errors: string[]; bodyBytesWritten: number }> {
  return new Promise((resolve, reject) => {
    const errors: string[] = [];
    let response = '';
    let bodyBytesWritten = 0;
    const socket = net.connect(port, '127.0.0.1');
    const failsafe = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${REQUEST_FAILSAFE_MS} ms (${errors.join(', ')})`));
    }, REQUEST_FAILSAFE_MS);
    socket.on('data', (data) => (response += data.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    socket.on('close', () => {
      clearTimeout(failsafe);
      resolve({ response, errors, bodyBytesWritten });
    });
    socket.once('connect', () => {
      socket.write(head);
      const body = Buffer.alloc(totalBytes, 'x');
      socket.write(body, (error) => {
        if (!error) bodyBytesWritten = body.length;
      });
      socket.end();
    });
  });
}

// ---------------------------------------------------------------------------------------------

/** VmRSS (or VmHWM, the peak RSS) of a process, from /proc. */
function rssBytesOf(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} for pid ${pid}`);
  return Number(match[1]) * 1024;
}

interface MemoryAfterGc {
  rss: number;
  heapUsed: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('hostile input: both webhooks under fuzz, slow loris and oversized uploads', () => {
  let bridge: BridgeHarness;
  let redis: Redis;
  let queues: Map<string, Queue>;
  const pidOf = (service: BridgeServiceName): number => {
    const pid = bridge.pidOf(service);
    if (pid === undefined) throw new Error(`${service} is not running`);
    return pid;
  };
  const statuses = new Map<string, number>();
  let requestsSent = 0;
  let jobsBeforeStorm = 0;
  let slowLorises: Promise<[SlowLorisOutcome, SlowLorisOutcome, SlowLorisOutcome]>;
  const memoryAfterWarmUp: Partial<Record<BridgeServiceName, MemoryAfterGc>> = {};
  const preloadDir = mkdtempSync(path.join(os.tmpdir(), 'tgg-hostile-'));

  /** Two full collections in the service (the second lets the allocator hand pages back), then its RSS and heap. */
  async function memoryAfterGc(service: BridgeServiceName): Promise<MemoryAfterGc> {
    const pid = pidOf(service);
    let heapUsed = 0;
    for (let round = 0; round < 2; round++) {
      const reportsBefore = [...bridge.logsOf(service).matchAll(GC_MARKER)].length;
      process.kill(pid, 'SIGWINCH');
      heapUsed = await eventually(() => {
        const reports = [...bridge.logsOf(service).matchAll(GC_MARKER)];
        expect(reports.length).toBeGreaterThan(reportsBefore);
        return Number(reports.at(-1)?.[1]);
      });
    }
    return { rss: rssBytesOf(pid), heapUsed };
  }

  async function jobsIn(queueName: string): Promise<number> {
    const queue = queues.get(queueName);
    if (!queue) throw new Error(`no queue ${queueName}`);
    const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  async function jobsInAllQueues(): Promise<number> {
    let total = 0;
    for (const name of ALL_QUEUES) total += await jobsIn(name);
    return total;
  }

  /** Posts to a webhook as its sender would authenticate; a rejected fetch (reset, hang) fails the caller. */
  async function post(target: Target, request: HostileRequest): Promise<{ status: number; body: string }> {
    const { bytes, header } = wrapForContentType(buildBody(target, request.body), request.contentType);
    const headers: Record<string, string> = {};
    if (header !== undefined) headers['content-type'] = header;
    if (target === 'telegram') headers['x-telegram-bot-api-secret-token'] = HARNESS_CREDENTIALS.webhookSecret;
    else headers['x-hub-signature-256'] = signGenesysWebhook(bytes, HARNESS_CREDENTIALS.genesysWebhookSecret);
    const url = target === 'telegram' ? `${bridge.url('ingress')}/telegram/webhook/` : `${bridge.url('outbound')}/genesys/webhook/`;
    const response = await fetch(url + request.channel, { method: 'POST', headers, body: bytes, signal: AbortSignal.timeout(REQUEST_FAILSAFE_MS) });
    const body = await response.text();
    requestsSent++;
    const code = /"error":"([a-z_0-9]+)"/.exec(body)?.[1] ?? (response.status < 300 ? 'ok' : '?');
    const key = `${target} ${response.status} ${code}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    return { status: response.status, body };
  }

  /** The property both storms check: 2xx or 4xx, a 4xx with the JSON error shape and no job, a 2xx with at most one. */
  function webhookStorm(target: Target, queueName: string, seed: number): Promise<void> {
    return fc.assert(
      fc.asyncProperty(hostileRequest(target), async (request) => {
        const before = await jobsIn(queueName);
        const { status, body } = await post(target, request);
        const after = await jobsIn(queueName);
        expect(`${status} ${body.slice(0, 200)}`).toMatch(/^[24]\d\d /);
        if (status >= 400) {
          expect(JSON.parse(body)).toEqual(expect.objectContaining({ error: expect.any(String), message: expect.any(String) }));
          expect(after - before).toBe(0);
        } else {
          expect(after - before).toBeGreaterThanOrEqual(0);
          expect(after - before).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: RUNS_PER_WEBHOOK, seed, endOnFailure: true },
    );
  }

  beforeAll(async () => {
    const preload = path.join(preloadDir, 'gc-on-signal.cjs');
    writeFileSync(preload, GC_PRELOAD);
    bridge = await BridgeHarness.start({ services: ['ingress', 'outbound'], keepAllLogs: true, env: { NODE_OPTIONS: `--expose-gc --require ${preload}` } });
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    queues = new Map(ALL_QUEUES.map((name) => [name, new Queue(name, { connection: redis, prefix: bridge.queuePrefix })]));
    process.stdout.write(`hostile-input: fast-check seed ${SEED} (FUZZ_SEED=<n> to change)\n`);

    // Slow lorises run next to everything below: their sockets must be cut, the storm must be served.
    // Each announces 4 KiB and sends 4 bytes a second: it would take over 15 minutes to finish.
    const failsafeMs = HTTP_TIMEOUTS.requestMs + HTTP_TIMEOUTS.checkIntervalMs + 10_000;
    slowLorises = Promise.all([
      slowLoris(
        bridge.ports.ingress,
        `POST /telegram/webhook/default HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: ${HARNESS_CREDENTIALS.webhookSecret}\r\nContent-Length: 4096\r\n\r\n`,
        '{"',
        500,
        failsafeMs,
      ),
      slowLoris(
        bridge.ports.outbound,
        `POST /genesys/webhook/default HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Hub-Signature-256: sha256=${'A'.repeat(43)}=\r\nContent-Length: 4096\r\n\r\n`,
        '{"',
        500,
        failsafeMs,
      ),
      // Headers that never end: the headers timeout applies.
      slowLoris(bridge.ports.ingress, 'POST /telegram/webhook/default HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-a: b\r\n', 500, failsafeMs),
    ]);

    // Warm-up: the same mix through both webhooks (other seeds), so the heap, JIT code and Redis
    // connections have grown to their working size before the baseline RSS is taken.
    await fc.assert(fc.asyncProperty(hostileRequest('telegram'), async (request) => void (await post('telegram', request))), { numRuns: 100, seed: SEED + 1 });
    await fc.assert(fc.asyncProperty(hostileRequest('genesys'), async (request) => void (await post('genesys', request))), { numRuns: 100, seed: SEED + 2 });
    // Near-limit bodies drive the size of the heap: a few of each kind, so the baseline is a working size.
    for (const target of ['telegram', 'genesys'] as const) {
      for (const unit of ['ascii', 'two-byte', 'emoji', 'escaped-nul'] as const) {
        for (const where of ['text', 'key', 'extra', 'kind'] as const) await post(target, { body: { kind: 'huge', bytes: MIB - 4096, unit, where }, contentType: 'application/json', channel: 'default' });
      }
    }
    memoryAfterWarmUp.ingress = await memoryAfterGc('ingress');
    memoryAfterWarmUp.outbound = await memoryAfterGc('outbound');
    jobsBeforeStorm = await jobsInAllQueues();
  }, 60_000);

  afterAll(async () => {
    process.stdout.write(
      `hostile-input: ${requestsSent} requests; ${[...statuses.entries()]
        .sort()
        .map(([key, count]) => `${key}: ${count}`)
        .join(', ')}\n`,
    );
    await bridge?.stop();
    if (redis && bridge) {
      // Accepted fuzz bodies (some near 1 MiB) and their bookkeeping stay in Redis otherwise.
      for (const queue of queues.values()) await queue.obliterate({ force: true });
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${bridge.queuePrefix}:*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
    }
    rmSync(preloadDir, { recursive: true, force: true });
  });

  it('answers every fuzzed Telegram webhook with 2xx or 4xx, and a 4xx enqueues nothing', async () => {
    await webhookStorm('telegram', QueueName.TelegramUpdates, SEED);
  }, 60_000);

  it('answers every fuzzed, validly signed Genesys webhook with 2xx or 4xx, and a 4xx enqueues nothing', async () => {
    await webhookStorm('genesys', QueueName.GenesysReplies, SEED);
  }, 60_000);

  const oversizedCases = [
    ['ingress', '/telegram/webhook/default', `X-Telegram-Bot-Api-Secret-Token: ${HARNESS_CREDENTIALS.webhookSecret}`],
    ['outbound', '/genesys/webhook/default', `X-Hub-Signature-256: sha256=${'A'.repeat(43)}=`],
  ] as const;

  it.each(oversizedCases)('%s answers 413 to a 5 MiB Content-Length from the header alone, and the client sees it', async (service, path, authHeader) => {
    const rssBefore = rssBytesOf(pidOf(service));
    const total = 5 * MIB;
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${authHeader}\r\nContent-Length: ${total}\r\n\r\n`;
    const outcome = await oversizedUpload(bridge.ports[service], head, { chunked: false, totalBytes: total, pauseAfterBytes: 64 * 1024 });
    // Answered while 64 KiB of 5 MiB were on their way: decided from Content-Length, nothing buffered.
    expect(outcome.bodyBytesSentAtAnswer).toBeLessThanOrEqual(64 * 1024);
    expect(outcome.response).toMatch(/^HTTP\/1\.1 413 [^]*"error":"body_too_large"/);
    // The client went on writing all 5 MiB, as many do: still exactly one answer, and no reset that
    // would have thrown the 413 away before the client read it.
    expect(outcome.response.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(outcome.errors).toEqual([]);
    expect(rssBytesOf(pidOf(service)) - rssBefore).toBeLessThan(total);
  });

  it.each(oversizedCases.flatMap(([service, path, authHeader]) => (['keep-alive', 'close', 'HTTP/1.0'] as const).map((connection) => [service, connection, path, authHeader] as const)))(
    '%s answers 413 to a client that writes a full 2 MiB body before reading (%s), and the client reads it',
    async (service, connection, path, authHeader) => {
      const total = 2 * MIB;
      const requestLine = connection === 'HTTP/1.0' ? `POST ${path} HTTP/1.0` : `POST ${path} HTTP/1.1`;
      const connectionHeader = connection === 'close' ? 'Connection: close\r\n' : '';
      const head = `${requestLine}\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${authHeader}\r\n${connectionHeader}Content-Length: ${total}\r\n\r\n`;
      const jobsBefore = await jobsInAllQueues();
      const outcome = await fullUpload(bridge.ports[service], head, total);
      // Node closes such connections right after the answer; unread bytes then turn the close into a
      // reset, and the client's write fails (EPIPE) before it reads anything. The rest must be read.
      expect(outcome.errors).toEqual([]);
      expect(outcome.bodyBytesWritten).toBe(total);
      expect(outcome.response).toMatch(/^HTTP\/1\.1 413 [^]*\r\n\r\n\{"error":"body_too_large","message":"[^"]+"\}$/);
      expect(await jobsInAllQueues()).toBe(jobsBefore);
    },
  );

  it.each(oversizedCases)('%s answers 413 to a chunked upload once it passes 1 MiB, and enqueues nothing', async (service, path, authHeader) => {
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${authHeader}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const jobsBefore = await jobsInAllQueues();
    const pauseAfterBytes = WEBHOOK_BODY_LIMIT_BYTES + 64 * 1024;
    const outcome = await oversizedUpload(bridge.ports[service], head, { chunked: true, totalBytes: 4 * MIB, pauseAfterBytes });
    // No length to go by: the answer comes once the limit is crossed, not at the end of the upload.
    expect(outcome.bodyBytesSentAtAnswer).toBeGreaterThan(WEBHOOK_BODY_LIMIT_BYTES - 128 * 1024);
    expect(outcome.bodyBytesSentAtAnswer).toBeLessThanOrEqual(pauseAfterBytes);
    expect(outcome.response).toMatch(/^HTTP\/1\.1 413 [^]*"error":"body_too_large"/);
    expect(outcome.response.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(outcome.errors).toEqual([]);
    expect(await jobsInAllQueues()).toBe(jobsBefore);
  });

  it('cuts slow-loris uploads with 408 after the request timeout, serving everyone else meanwhile', async () => {
    const [ingressBody, outboundBody, ingressHeaders] = await slowLorises;
    // The storms above ran while these dribbled; they were served (or their tests failed). Now cut:
    expect(ingressBody).toEqual(expect.objectContaining({ statusLine: expect.stringMatching(/^HTTP\/1\.1 408 /) }));
    expect(outboundBody).toEqual(expect.objectContaining({ statusLine: expect.stringMatching(/^HTTP\/1\.1 408 /) }));
    expect(ingressHeaders).toEqual(expect.objectContaining({ statusLine: expect.stringMatching(/^HTTP\/1\.1 408 /) }));
    const slack = HTTP_TIMEOUTS.checkIntervalMs + 5_000; // the sweep interval, plus a busy machine
    expect(ingressBody.closedAfterMs).toBeLessThanOrEqual(HTTP_TIMEOUTS.requestMs + slack);
    expect(outboundBody.closedAfterMs).toBeLessThanOrEqual(HTTP_TIMEOUTS.requestMs + slack);
    expect(ingressHeaders.closedAfterMs).toBeLessThanOrEqual(HTTP_TIMEOUTS.headersMs + slack);
    expect(ingressBody.closedAfterMs).toBeGreaterThanOrEqual(HTTP_TIMEOUTS.requestMs - 1_000);
    // And still serving once they are gone.
    expect((await fetch(`${bridge.url('ingress')}/health/live`)).status).toBe(200);
  }, HTTP_TIMEOUTS.requestMs + 20_000);

  it('keeps both processes alive, quiet about internal errors, with flat memory and bounded metrics', async () => {
    for (const service of ['ingress', 'outbound'] as const) {
      const pid = pidOf(service);
      expect(isAlive(pid)).toBe(true);
      expect((await fetch(`${bridge.url(service)}/health/live`)).status).toBe(200);
      const before = memoryAfterWarmUp[service] ?? { rss: 0, heapUsed: 0 };
      const after = await memoryAfterGc(service);
      const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;
      process.stdout.write(
        `hostile-input: ${service} after GC: RSS ${mib(before.rss)} → ${mib(after.rss)}, heap used ${mib(before.heapUsed)} → ${mib(after.heapUsed)} (peak RSS ${mib(rssBytesOf(pid, 'VmHWM'))})\n`,
      );
      expect(after.rss - before.rss).toBeLessThan(RSS_GROWTH_BOUND_BYTES);
      expect(after.heapUsed - before.heapUsed).toBeLessThan(HEAP_GROWTH_BOUND_BYTES);
      // Nothing reached the catch-all 500 path or crashed a handler (logs are warn and above).
      expect(bridge.logsOf(service)).not.toMatch(/"level":(50|60)/);
      // Label values come from a bounded set, whatever keys the bodies had.
      const metrics = await (await fetch(`${bridge.url(service)}/metrics`)).text();
      expect(Buffer.byteLength(metrics)).toBeLessThan(256 * 1024);
      const outcomeSeries = metrics.split('\n').filter((line) => /^tgg_(updates|replies)_total\{/.test(line));
      expect(outcomeSeries.length).toBeLessThan(40);
    }
    process.stdout.write(`hostile-input: ${(await jobsInAllQueues()) - jobsBeforeStorm} jobs added across all queues during the storms\n`);
  });
});
