import {
  parseStructuredItem,
  type GenesysCard,
  type GenesysCardAction,
  type GenesysDatePicker,
  type GenesysNotificationTemplate,
  type GenesysQuickReply,
  type StructuredItem,
} from '@tgg/contracts';
import { cutLabel, type ButtonResponseKind, type PlannedButton } from './keyboard-layout.js';

/**
 * Genesys `Structured` content → what Telegram can show (pure; see README "Structured messages").
 *
 * - QuickReply / QuickReplyV2 options → callback buttons (type 'QuickReply') under the message text.
 * - Card → one message: its image (or video) with title + description as caption, or the text
 *   alone; Postback actions → callback buttons (type 'Button'), Link actions → URL buttons.
 * - Carousel → its cards in order, one message each.
 * - DatePicker, ListPicker, Notification templates with parameters or buttons, and unknown types
 *   have no Telegram equivalent: their text and a readable list of their options join the message
 *   text, and the reply is reported as degraded (Delivered receipt with a reason).
 */

export interface CardPlan {
  /** Title and description; may be empty when the card has an image. */
  text: string;
  media?: { mediaType: 'Image' | 'Video'; url: string };
  buttons: PlannedButton[];
}

export interface StructuredRendering {
  /** The message text with the readable form of what has no Telegram equivalent. */
  text: string;
  /** Quick-reply options, shown as the keyboard of the message text. */
  quickReplies: PlannedButton[];
  /** One message per card, after the message text. */
  cards: CardPlan[];
  /** One line per thing not shown as designed, for the receipt. */
  degraded: string[];
}

export function renderStructured(content: readonly Record<string, unknown>[], messageText: string): StructuredRendering {
  const rendering: StructuredRendering = { text: '', quickReplies: [], cards: [], degraded: [] };
  const blocks: string[] = [];
  let messageTextShown = false;
  for (const item of content.map(parseStructuredItem)) {
    switch (item.kind) {
      case 'QuickReply':
        addQuickReply(rendering, item.quickReply);
        break;
      case 'QuickReplyV2':
        if (item.quickReplyV2.title?.trim() && messageText.trim() === '') blocks.push(item.quickReplyV2.title.trim());
        for (const action of item.quickReplyV2.actions) addQuickReply(rendering, action);
        break;
      case 'Card':
        rendering.cards.push(cardPlan(item.card, rendering.degraded));
        break;
      case 'Carousel':
        for (const card of item.carousel.cards) rendering.cards.push(cardPlan(card, rendering.degraded));
        if (item.carousel.cards.length === 0) rendering.degraded.push('an empty Carousel was left out');
        break;
      case 'DatePicker':
        blocks.push(datePickerText(item.datePicker));
        rendering.degraded.push('DatePicker shown as a list of its dates (Telegram has no date picker)');
        break;
      case 'Notification': {
        const notification = notificationText(item.template, messageText);
        if (notification.includesMessageText) messageTextShown = true;
        blocks.push(notification.text);
        if (notification.degraded) rendering.degraded.push(notification.degraded);
        break;
      }
      case 'Attachment':
        break; // sent as a file by the attachment path
      case 'unrenderable': {
        const readable = readableListOf(item);
        if (readable) blocks.push(readable);
        rendering.degraded.push(`${item.contentType} content cannot be shown in Telegram${readable ? ' and was sent as text' : ' and was left out'}`);
        break;
      }
    }
  }
  rendering.text = [messageTextShown ? '' : messageText, ...blocks].filter((block) => block.trim() !== '').join('\n\n');
  return rendering;
}

function addQuickReply(rendering: StructuredRendering, quickReply: GenesysQuickReply): void {
  const button = callbackButton(quickReply.text, quickReply.payload, 'QuickReply');
  if (button) rendering.quickReplies.push(button);
  else rendering.degraded.push('a QuickReply without text or payload was left out');
}

/** Genesys sends the label as `text` and the answer as `payload`; either stands in for a missing other. */
function callbackButton(text: string | undefined, payload: string | undefined, type: ButtonResponseKind): PlannedButton | undefined {
  const label = text?.trim() ? text : payload;
  const answer = payload ?? text;
  if (!label?.trim() || answer === undefined || answer === '') return undefined;
  return { kind: 'callback', label: cutLabel(label), text: label, payload: answer, type };
}

function cardPlan(card: GenesysCard, degraded: string[]): CardPlan {
  const lines = [card.title, card.description].map((line) => line?.trim() ?? '').filter((line) => line !== '');
  const buttons: PlannedButton[] = [];
  const actions = [...card.actions, ...(card.defaultAction && !card.actions.some((action) => sameAction(action, card.defaultAction)) ? [card.defaultAction] : [])];
  for (const action of actions) {
    const button = cardButton(action);
    if (button) buttons.push(button);
    else {
      const readable = [action.text, action.url ?? action.payload].filter(Boolean).join(': ');
      if (readable) lines.push(`• ${readable}`);
      degraded.push(`a card action of type ${action.type ?? 'unknown'} was shown as text`);
    }
  }
  const media = cardMedia(card, degraded);
  return { text: lines.join('\n'), ...(media ? { media } : {}), buttons };
}

function sameAction(a: GenesysCardAction, b: GenesysCardAction | undefined): boolean {
  return b !== undefined && a.type?.toLowerCase() === b.type?.toLowerCase() && a.url === b.url && a.payload === b.payload && a.text === b.text;
}

function cardButton(action: GenesysCardAction): PlannedButton | undefined {
  const type = action.type?.toLowerCase();
  // Link, or an unknown type that carries a URL: a URL button. A Link without a usable URL is shown as text.
  if (type === 'link' || (type !== 'postback' && action.url !== undefined)) {
    if (action.url === undefined || !isWebUrl(action.url)) return undefined;
    return { kind: 'url', label: cutLabel(action.text?.trim() ? action.text : new URL(action.url).hostname), url: action.url };
  }
  return callbackButton(action.text, action.payload, 'Button');
}

function cardMedia(card: GenesysCard, degraded: string[]): CardPlan['media'] {
  for (const [mediaType, url] of [['Image', card.image], ['Video', card.video]] as const) {
    if (url === undefined || url === '') continue;
    if (isWebUrl(url)) return { mediaType, url };
    degraded.push(`a card ${mediaType.toLowerCase()} with an unusable URL was left out`);
  }
  return undefined;
}

/** Telegram opens http(s) URLs from buttons; anything else it refuses (BUTTON_URL_INVALID) or we cannot fetch. */
function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** ISO time → "2025-05-30 12:00 UTC"; anything unreadable as it came. */
function readableTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function datePickerText(picker: GenesysDatePicker): string {
  const lines = [picker.title, picker.subtitle].map((line) => line?.trim() ?? '').filter((line) => line !== '');
  for (const slot of picker.availableTimes) {
    if (!slot.dateTime) continue;
    const minutes = slot.duration !== undefined && slot.duration > 0 ? ` (${Math.round(slot.duration / 60)} min)` : '';
    lines.push(`• ${readableTime(slot.dateTime)}${minutes}`);
  }
  if (picker.availableTimes.length === 0 && (picker.dateMinimum || picker.dateMaximum)) {
    lines.push(`Any date${picker.dateMinimum ? ` from ${readableTime(picker.dateMinimum)}` : ''}${picker.dateMaximum ? ` until ${readableTime(picker.dateMaximum)}` : ''}`);
  }
  lines.push('Please reply with the date that suits you.');
  return lines.join('\n');
}

/**
 * A notification template as text. Its body usually arrives with the parameters already filled in
 * and repeated as the message text (the public capture above), so a body equal to the message text
 * takes its place instead of showing twice; `{{name}}` / `{{1}}` placeholders left in are filled
 * from `parameters`. Parameters or buttons mean the template was designed for a channel with
 * templates: reported as degraded.
 */
function notificationText(template: GenesysNotificationTemplate, messageText: string): { text: string; includesMessageText: boolean; degraded?: string } {
  const parameters = [...(template.header?.parameters ?? []), ...(template.body?.parameters ?? [])];
  const fill = (text: string | undefined) =>
    (text ?? '').replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (placeholder, key: string) => {
      const byName = parameters.find((parameter) => parameter.name === key);
      const byIndex = /^\d+$/.test(key) ? parameters[Number(key) - 1] : undefined;
      return (byName ?? byIndex)?.text ?? placeholder;
    });
  const body = fill(template.body?.text).trim();
  const includesMessageText = body !== '' && body === messageText.trim();
  const lines = [fill(template.header?.text), includesMessageText ? messageText : body, fill(template.footer?.text)].map((line) => line.trim()).filter((line) => line !== '');
  for (const button of template.buttons) {
    const target = button.url ?? button.phoneNumber ?? '';
    const label = button.text?.trim() ?? '';
    if (label || target) lines.push(`• ${[label, target].filter(Boolean).join(': ')}`);
  }
  const reasons = [parameters.length > 0 ? 'parameters filled in as text' : '', template.buttons.length > 0 ? 'buttons listed as text' : ''].filter(Boolean);
  return { text: lines.join('\n'), includesMessageText, ...(reasons.length > 0 ? { degraded: `Notification template: ${reasons.join(', ')}` } : {}) };
}

/** Best effort for types we do not know: the titles/texts of its options, if it has a list of them. */
function readableListOf(item: Extract<StructuredItem, { kind: 'unrenderable' }>): string {
  const body = Object.entries(item.item).find(([key, value]) => key !== 'contentType' && typeof value === 'object' && value !== null)?.[1];
  const lines: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 4 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) return value.forEach((entry) => visit(entry, depth + 1));
    const record = value as Record<string, unknown>;
    const label = [record['title'], record['text']].find((field): field is string => typeof field === 'string' && field.trim() !== '');
    if (label) lines.push(depth === 0 ? label.trim() : `• ${label.trim()}`);
    for (const [key, nested] of Object.entries(record)) if (key !== 'title' && key !== 'text') visit(nested, depth + 1);
  };
  visit(body, 0);
  return lines.join('\n');
}
