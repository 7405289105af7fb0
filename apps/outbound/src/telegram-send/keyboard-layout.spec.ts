import fc from 'fast-check';
import { BUTTON_LABEL_MAX, cutLabel, layoutKeyboard, type PlannedButton } from './keyboard-layout.js';

const option = (label: string): PlannedButton => ({ kind: 'callback', label, text: label, payload: label, type: 'QuickReply' });
const labelsOf = (rows: PlannedButton[][]) => rows.map((row) => row.map((button) => button.label));
const graphemeCount = (text: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].length;

describe('layoutKeyboard', () => {
  it('puts short labels three to a row', () => {
    expect(labelsOf(layoutKeyboard(['Yes', 'No', 'Maybe', 'Later'].map(option)))).toEqual([['Yes', 'No', 'Maybe'], ['Later']]);
  });

  it('puts medium labels (9–16 characters) two to a row', () => {
    expect(labelsOf(layoutKeyboard(['Track my order', 'Cancel order', 'Talk to a human'].map(option)))).toEqual([['Track my order', 'Cancel order'], ['Talk to a human']]);
  });

  it('gives a long label (over 16 characters) a row of its own, and keeps the order', () => {
    const labels = ['Yes', 'I would like to speak to an agent', 'No', 'Ok'];
    expect(labelsOf(layoutKeyboard(labels.map(option)))).toEqual([['Yes'], ['I would like to speak to an agent'], ['No', 'Ok']]);
  });

  it('lays URL buttons out like callback buttons', () => {
    const link: PlannedButton = { kind: 'url', label: 'Site', url: 'https://example.com' };
    expect(layoutKeyboard([option('Buy'), link])).toEqual([[option('Buy'), link]]);
  });

  it('counts an emoji as one character', () => {
    expect(labelsOf(layoutKeyboard(['👍🏽 Yes', '👎🏽 No', '🤷🏽 Maybe'].map(option)))).toEqual([['👍🏽 Yes', '👎🏽 No', '🤷🏽 Maybe']]);
  });

  it('keeps every button exactly once, in order, and never puts more in a row than its widest label allows', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 30 }), (labels) => {
        const rows = layoutKeyboard(labels.map(option));
        expect(rows.flat().map((button) => button.label)).toEqual(labels);
        for (const row of rows) {
          const widest = Math.max(...row.map((button) => graphemeCount(button.label)));
          expect(row.length).toBeGreaterThan(0);
          expect(row.length).toBeLessThanOrEqual(widest <= 8 ? 3 : widest <= 16 ? 2 : 1);
        }
      }),
    );
  });
});

describe('cutLabel', () => {
  it('leaves labels up to the limit alone, whitespace collapsed', () => {
    expect(cutLabel('  Track\nmy   order ')).toBe('Track my order');
    expect(cutLabel('x'.repeat(BUTTON_LABEL_MAX))).toBe('x'.repeat(BUTTON_LABEL_MAX));
  });

  it('cuts a long label at a word boundary and marks the cut', () => {
    const cut = cutLabel('Please connect me with somebody from the billing department today');
    expect(cut).toBe('Please connect me with somebody from…');
    expect(graphemeCount(cut)).toBeLessThanOrEqual(BUTTON_LABEL_MAX);
  });

  it('cuts a label without a usable space inside the text, never inside an emoji', () => {
    const cut = cutLabel('👩‍👩‍👧‍👦'.repeat(50));
    expect(cut).toBe(`${'👩‍👩‍👧‍👦'.repeat(BUTTON_LABEL_MAX - 1)}…`);
  });

  it('never exceeds the limit', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (label) => expect(graphemeCount(cutLabel(label))).toBeLessThanOrEqual(BUTTON_LABEL_MAX)));
  });
});
