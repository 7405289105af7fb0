/**
 * The deepest array/object nesting a webhook body may have. Real Telegram updates and Genesys
 * messages nest about ten levels; a few thousand levels overflow the stack of the recursive code
 * that handles a body after JSON.parse (BullMQ's JSON.stringify of the job, for one), which
 * surfaced as a 503 — and a 503 makes Telegram redeliver the same body for 24 h.
 */
export const MAX_JSON_NESTING = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether the JSON text in `bytes` nests arrays and objects at most `maxDepth` deep. One linear pass
 * that parses nothing (brackets inside strings do not count), so it can run before JSON.parse;
 * malformed text is left for JSON.parse to refuse. Works on UTF-8 bytes: every byte of a multi-byte
 * character is ≥ 0x80, so none of them can be mistaken for a quote or a bracket.
 */
export function jsonNestingWithin(bytes: Uint8Array, maxDepth = MAX_JSON_NESTING): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === BACKSLASH) escaped = true;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) return false;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return true;
}

/**
 * A webhook's raw body read as JSON: the nesting is checked before JSON.parse, which copes with any
 * depth while what handles the body after it (storing the job) does not.
 */
export function readJsonBody(rawBody: unknown): { json: unknown } | 'not-json' | 'too-deep' {
  if (!Buffer.isBuffer(rawBody)) return 'not-json';
  if (!jsonNestingWithin(rawBody)) return 'too-deep';
  try {
    return { json: JSON.parse(rawBody.toString('utf8')) };
  } catch {
    return 'not-json';
  }
}
