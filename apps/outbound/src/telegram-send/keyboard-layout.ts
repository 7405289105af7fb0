/**
 * Inline keyboards as the customer's phone shows them (pure; no Telegram calls).
 *
 * Telegram gives every button of a row the same width and ellipsizes a label that does not fit, so
 * rows are packed by their longest label: up to 3 buttons when every label has ≤ 8 characters
 * ("Yes" "No" "Maybe"), up to 2 when every label has ≤ 16, otherwise the button gets a row of its
 * own. Buttons keep their Genesys order, filling rows left to right. ("Characters" are grapheme
 * clusters: an emoji counts once.)
 *
 * The Bot API documents no limit for a button's text; clients cut long ones in the middle. We cut
 * labels above 40 characters ourselves, at a word boundary when one is near, and end them with
 * "…", so the customer still reads the beginning of the option. The full text is kept in the
 * button's record and reaches Genesys unchanged on a tap (KeyboardButtonStore).
 */

export type ButtonResponseKind = 'QuickReply' | 'Button';

export type PlannedButton =
  /** A tap comes back as a callback_query; its record (full `text`, payload) is saved before sending. `label` is what the button shows. */
  | { kind: 'callback'; label: string; text: string; payload: string; type: ButtonResponseKind }
  /** Opens the URL in the customer's browser; nothing comes back. */
  | { kind: 'url'; label: string; url: string };

/** Rows of buttons, top to bottom. */
export type PlannedKeyboard = PlannedButton[][];

export const BUTTON_LABEL_MAX = 40;
const THREE_PER_ROW_MAX = 8;
const TWO_PER_ROW_MAX = 16;
/** A word boundary this far into the label is worth cutting at; nearer the start it would lose too much. */
const WORD_CUT_MIN = 20;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemesOf(text: string): string[] {
  return Array.from(graphemes.segment(text), (segment) => segment.segment);
}

/** A label of at most BUTTON_LABEL_MAX characters, whitespace collapsed (Telegram shows one line). */
export function cutLabel(label: string): string {
  const flat = label.replace(/\s+/g, ' ').trim();
  const parts = graphemesOf(flat);
  if (parts.length <= BUTTON_LABEL_MAX) return flat;
  const head = parts.slice(0, BUTTON_LABEL_MAX - 1).join('');
  const lastSpace = head.lastIndexOf(' ');
  const cut = lastSpace >= WORD_CUT_MIN ? head.slice(0, lastSpace) : head;
  return `${cut.trimEnd()}…`;
}

function perRowFor(labelLength: number): number {
  if (labelLength <= THREE_PER_ROW_MAX) return 3;
  if (labelLength <= TWO_PER_ROW_MAX) return 2;
  return 1;
}

/** Lays the buttons out in rows by the rule above. */
export function layoutKeyboard(buttons: readonly PlannedButton[]): PlannedKeyboard {
  const rows: PlannedButton[][] = [];
  let row: PlannedButton[] = [];
  let longest = 0;
  for (const button of buttons) {
    const length = graphemesOf(button.label).length;
    const widest = Math.max(longest, length);
    if (row.length > 0 && row.length + 1 > perRowFor(widest)) {
      rows.push(row);
      row = [];
      longest = 0;
    }
    row.push(button);
    longest = Math.max(longest, length);
  }
  if (row.length > 0) rows.push(row);
  return rows;
}
