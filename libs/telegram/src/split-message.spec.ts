import fc from 'fast-check';
import { splitCaption, splitForTelegram } from './split-message.js';

const word = fc.string({ unit: fc.constantFrom('a', 'b', 'é', '😀', '-'), minLength: 1, maxLength: 12 });
const line = fc.array(word, { minLength: 1, maxLength: 12 }).map((words) => words.join(' '));
const paragraph = fc.array(line, { minLength: 1, maxLength: 6 }).map((lines) => lines.join('\n'));
/** Prose: paragraphs of lines of words, so every boundary kind occurs. */
const prose = fc.array(paragraph, { maxLength: 40 }).map((paragraphs) => paragraphs.join('\n\n'));

function graphemeBoundaries(text: string): Set<number> {
  const boundaries = new Set<number>([text.length]);
  for (const { index } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) boundaries.add(index);
  return boundaries;
}

/** Start offsets of each part, plus the text's end. */
function cutPositions(parts: string[]): number[] {
  const positions = [0];
  for (const part of parts) positions.push(positions.at(-1)! + part.length);
  return positions;
}

describe('splitForTelegram', () => {
  it('splits within the limit, never inside a surrogate pair, losing nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20_000 }), (text) => {
        const parts = splitForTelegram(text, 4096); // separators stay in the part they end
        expect(parts.join('')).toBe(text);
        for (const part of parts) {
          expect(part.length).toBeGreaterThan(0);
          expect(part.length).toBeLessThanOrEqual(4096);
          expect(/[\uD800-\uDBFF]$/.test(part)).toBe(false);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('keeps every part within any limit ≥ 2 and never separates a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.integer({ min: 2, max: 60 }), (text, limit) => {
        const parts = splitForTelegram(text, limit);
        expect(parts.join('')).toBe(text);
        for (const part of parts) {
          expect(part.length).toBeGreaterThan(0);
          expect(part.length).toBeLessThanOrEqual(limit);
          expect(/[\uD800-\uDBFF]$/.test(part)).toBe(false);
          expect(/^[\uDC00-\uDFFF]/.test(part)).toBe(false);
        }
      }),
    );
  });

  it('cuts at the last paragraph break in reach, else the last line break, else the last space', () => {
    fc.assert(
      fc.property(prose, fc.integer({ min: 8, max: 300 }), (text, limit) => {
        const parts = splitForTelegram(text, limit);
        expect(parts.join('')).toBe(text);
        const positions = cutPositions(parts);
        for (let index = 0; index < parts.length - 1; index++) {
          const start = positions[index]!;
          const cut = positions[index + 1]! - start;
          const rest = text.slice(start);
          const paragraphBreak = rest.lastIndexOf('\n\n', limit - 2);
          const lineBreak = rest.lastIndexOf('\n', limit - 1);
          const space = rest.slice(0, limit).lastIndexOf(' ');
          if (paragraphBreak >= 0) expect(cut).toBe(paragraphBreak + 2);
          else if (lineBreak >= 0) expect(cut).toBe(lineBreak + 1);
          else if (space >= 0) expect(cut).toBe(space + 1);
          else expect(cut).toBeGreaterThanOrEqual(limit - 1); // a word longer than the limit; -1 for a 😀 at the edge
        }
      }),
    );
  });

  it('cuts a grapheme cluster only when one cluster is longer than the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 2, max: 40 }), (text, limit) => {
        const parts = splitForTelegram(text, limit);
        const boundaries = graphemeBoundaries(text);
        const positions = cutPositions(parts);
        for (let index = 1; index < positions.length - 1; index++) {
          const cut = positions[index]!;
          if (boundaries.has(cut)) continue;
          const start = positions[index - 1]!;
          for (let candidate = start + 1; candidate <= start + limit; candidate++) expect(boundaries.has(candidate)).toBe(false);
        }
      }),
    );
  });

  it('keeps a family emoji and a flag whole', () => {
    const family = '👨‍👩‍👧‍👦'; // 11 code units, one cluster
    const text = `${family}🇩🇪${family}🇺🇦`.repeat(3);
    const parts = splitForTelegram(text, 12);
    expect(parts.join('')).toBe(text);
    for (const part of parts) expect([family, '🇩🇪', '🇺🇦']).toContain(part);
  });

  it('does not break at a no-break space or between a space and its combining mark', () => {
    expect(splitForTelegram('aaa bbb\u00a0ccc', 10)).toEqual(['aaa ', 'bbb\u00a0ccc']);
    expect(splitForTelegram('aa bb \u0301ccc', 9)).toEqual(['aa ', 'bb \u0301ccc']);
  });

  it('keeps separators at the end of the part they end', () => {
    expect(splitForTelegram('one two\nthree\n\nfour five', 16)).toEqual(['one two\nthree\n\n', 'four five']);
    expect(splitForTelegram('one two\nthree four', 12)).toEqual(['one two\n', 'three four']);
    expect(splitForTelegram('one two three', 9)).toEqual(['one two ', 'three']);
    expect(splitForTelegram('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('splits a 9,500-character text into at least 3 parts of at most 4096', () => {
    const sentence = 'The router shows error 651 after the firmware update. ';
    const text = sentence.repeat(Math.ceil(9_500 / sentence.length)).slice(0, 9_500);
    const parts = splitForTelegram(text);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    expect(parts.join('')).toBe(text);
  });

  it('returns no part for empty text and one part for text within the limit', () => {
    expect(splitForTelegram('')).toEqual([]);
    expect(splitForTelegram('hello')).toEqual(['hello']);
    expect(splitForTelegram('x'.repeat(4096))).toEqual(['x'.repeat(4096)]);
  });

  it('refuses a limit that cannot hold a surrogate pair', () => {
    expect(() => splitForTelegram('abc', 1)).toThrow(RangeError);
    expect(() => splitForTelegram('abc', 2.5)).toThrow(RangeError);
  });
});

describe('splitCaption', () => {
  it('puts up to 1024 code units in the caption and the rest in parts of at most 4096', () => {
    fc.assert(
      fc.property(fc.oneof(prose, fc.string({ unit: 'binary', maxLength: 12_000 })), (text) => {
        const { caption, rest } = splitCaption(text);
        expect(caption.length).toBeLessThanOrEqual(1024);
        expect(caption + rest.join('')).toBe(text);
        for (const part of rest) {
          expect(part.length).toBeGreaterThan(0);
          expect(part.length).toBeLessThanOrEqual(4096);
        }
        if (text.length <= 1024) expect(rest).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });

  it('ends the caption at a word boundary', () => {
    const text = `${'word '.repeat(300)}end`;
    const { caption, rest } = splitCaption(text);
    expect(caption).toBe('word '.repeat(204));
    expect(rest).toEqual([text.slice(caption.length)]);
  });

  it('gives an empty caption and no parts for empty text', () => {
    expect(splitCaption('')).toEqual({ caption: '', rest: [] });
  });
});
