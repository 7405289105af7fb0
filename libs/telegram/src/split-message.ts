/**
 * Splitting agent text for Telegram (sendMessage ≤ 4096 characters, captions ≤ 1024).
 *
 * Length is measured in UTF-16 code units (`string.length`). Telegram counts characters after
 * entity parsing; we send plain text, and a code-unit count is never below the character count,
 * so a part within the limit here is within Telegram's limit too.
 *
 * Each cut prefers, within the first `limit` code units of what is left: the end of the last
 * paragraph break ("\n\n"), else of the last line break, else of the last breaking whitespace,
 * else the last grapheme-cluster boundary, else the last code-point boundary. Separators stay at
 * the end of the part they end, so `parts.join('') === text`. A part can be whitespace only
 * (e.g. a long run of blank lines); Telegram rejects those as empty, so senders skip them.
 */

export const TELEGRAM_TEXT_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;

// Whitespace a line may break at: \s without the no-break spaces (U+00A0, U+2007, U+202F, U+FEFF),
// which exist to keep their neighbours together. Line breaks are handled before this.
const BREAKING_SPACE = /[\t\v\f\r \u1680\u2000-\u2006\u2008-\u200a\u2028\u2029\u205f\u3000]/;

/** Parts of at most `limit` code units that join back to `text`; [] for ''. */
export function splitForTelegram(text: string, limit: number = TELEGRAM_TEXT_LIMIT): string[] {
  // Below 2 a surrogate pair could not fit in any part without being cut.
  if (!Number.isInteger(limit) || limit < 2) throw new RangeError('limit must be an integer ≥ 2');
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = cutIndex(rest, limit);
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

/** A caption of at most `limit` code units, and the remaining text as message parts (≤ 4096). */
export function splitCaption(text: string, limit: number = TELEGRAM_CAPTION_LIMIT): { caption: string; rest: string[] } {
  const caption = splitForTelegram(text, limit)[0] ?? '';
  return { caption, rest: splitForTelegram(text.slice(caption.length), TELEGRAM_TEXT_LIMIT) };
}

/** Where to end the first part of `text` (longer than `limit`): 1 ≤ cut ≤ limit. */
function cutIndex(text: string, limit: number): number {
  // A cut right after "\n" is always a grapheme boundary (UAX #29 GB4), so these need no check.
  const paragraphBreak = text.lastIndexOf('\n\n', limit - 2);
  if (paragraphBreak >= 0) return paragraphBreak + 2;
  const lineBreak = text.lastIndexOf('\n', limit - 1);
  if (lineBreak >= 0) return lineBreak + 1;

  const isBoundary = graphemeBoundaryTest(text, limit);
  for (let index = limit - 1; index >= 0; index--) {
    // Skips a space that a combining mark or the LF of a CRLF belongs to.
    if (BREAKING_SPACE.test(text.charAt(index)) && isBoundary(index + 1)) return index + 1;
  }
  for (let cut = limit; cut > 0; cut--) if (isBoundary(cut)) return cut;
  // One grapheme cluster longer than the limit: cutting it is unavoidable, a surrogate pair is not.
  return splitsSurrogatePair(text, limit) ? limit - 1 : limit;
}

/** Whether a cut at a position ≤ limit falls between grapheme clusters (and never inside a pair). */
function graphemeBoundaryTest(text: string, limit: number): (cut: number) => boolean {
  if (typeof Intl.Segmenter !== 'function') return (cut) => !splitsSurrogatePair(text, cut);
  // A boundary depends only on what precedes it and the one code point after it, so the
  // window plus one code point (≤ 2 code units) decides every boundary up to `limit`.
  const segments = new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text.slice(0, limit + 2));
  const boundaries = new Set<number>();
  for (const { index } of segments) boundaries.add(index);
  return (cut) => boundaries.has(cut);
}

function splitsSurrogatePair(text: string, cut: number): boolean {
  return isHighSurrogate(text.charCodeAt(cut - 1)) && isLowSurrogate(text.charCodeAt(cut));
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
