import fc from 'fast-check';
import { MAX_JSON_NESTING, jsonNestingWithin, readJsonBody } from './json-nesting.js';

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe('jsonNestingWithin', () => {
  it('agrees with the depth of the parsed value, brackets inside strings not counting', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 }), (value, maxDepth) => {
        const bytes = Buffer.from(JSON.stringify(value));
        expect(jsonNestingWithin(bytes, maxDepth)).toBe(depthOf(value) <= maxDepth);
      }),
    );
  });

  it('refuses deep nesting whatever the shape, and ignores brackets in strings and escapes', () => {
    expect(jsonNestingWithin(Buffer.from(`${'['.repeat(129)}${']'.repeat(129)}`))).toBe(false);
    expect(jsonNestingWithin(Buffer.from(`${'{"a":'.repeat(128)}1${'}'.repeat(128)}`))).toBe(true);
    expect(jsonNestingWithin(Buffer.from(JSON.stringify({ text: `\\"${'['.repeat(500)}` })), 2)).toBe(true);
    expect(jsonNestingWithin(Buffer.from('{"a":"é😀[[[","b":[[1]]}'), 3)).toBe(true);
    expect(jsonNestingWithin(Buffer.from('{"a":"é😀[[[","b":[[1]]}'), 2)).toBe(false);
  });
});

describe('readJsonBody', () => {
  it('parses a buffer of JSON, refuses what is not a buffer of JSON, and checks nesting before parsing', () => {
    expect(readJsonBody(Buffer.from('{"update_id":1}'))).toEqual({ json: { update_id: 1 } });
    expect(readJsonBody(Buffer.from('{"update_id":'))).toBe('not-json');
    expect(readJsonBody({ update_id: 1 })).toBe('not-json');
    expect(readJsonBody(Buffer.from(`${'['.repeat(MAX_JSON_NESTING + 1)}${']'.repeat(MAX_JSON_NESTING + 1)}`))).toBe('too-deep');
  });
});
