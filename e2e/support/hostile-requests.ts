import fc from 'fast-check';
import { aTextUpdate } from '@tgg/testing';

/**
 * What the hostile-input spec sends to the two webhooks: small printable recipes (a failing case
 * prints readably), built into bytes late.
 */

export const MIB = 1024 * 1024;

export type Target = 'telegram' | 'genesys';

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

export interface HostileRequest {
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

export function hostileRequest(target: Target): fc.Arbitrary<HostileRequest> {
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

export function buildBody(target: Target, recipe: BodyRecipe): Buffer {
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

export function wrapForContentType(body: Buffer, contentType: ContentType): { bytes: Buffer; header: string | undefined } {
  if (contentType === 'none') return { bytes: body, header: undefined };
  if (contentType !== 'multipart') return { bytes: body, header: contentType };
  const bytes = Buffer.concat([
    Buffer.from(`--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="update"\r\nContent-Type: application/json\r\n\r\n`),
    body,
    Buffer.from(`\r\n--${MULTIPART_BOUNDARY}--\r\n`),
  ]);
  return { bytes, header: `multipart/form-data; boundary=${MULTIPART_BOUNDARY}` };
}
