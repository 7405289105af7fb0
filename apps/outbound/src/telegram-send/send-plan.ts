import type { OpenOutboundMessage, OutboundAttachment, ReceiptReasonCode } from '@tgg/contracts';
import { splitCaption, splitForTelegram } from '@tgg/telegram';
import { layoutKeyboard, type PlannedKeyboard } from './keyboard-layout.js';
import { renderStructured, type CardPlan } from './structured-plan.js';

/**
 * One Telegram message of a reply. A reply's steps are fixed by its content, so a retry resumes at
 * a step index. A step with a keyboard carries it as `reply_markup` (structured messages).
 */
export type SendStep =
  | { kind: 'text'; text: string; keyboard?: PlannedKeyboard }
  | {
      kind: 'attachment';
      attachment: OutboundAttachment;
      caption?: string;
      keyboard?: PlannedKeyboard;
      /** A card's image: when it cannot be fetched or sent, this text (with the keyboard) goes instead. */
      fallbackText?: string;
    };

/** What the customer sees above buttons that come without any text (Telegram needs a text). */
export const KEYBOARD_ONLY_TEXT = 'Please choose:';

export type ReplyPlan =
  /** `degraded`: part of a structured message is shown differently (e.g. a date picker as text): said in the Delivered receipt. */
  | { kind: 'send'; steps: SendStep[]; degraded?: { code: ReceiptReasonCode; message: string } }
  | { kind: 'typing'; durationMs: number }
  /** Nothing to show the customer and nothing to report (e.g. "typing off"). */
  | { kind: 'ignore'; reason: string }
  /** Cannot be shown in Telegram: a Failed receipt says why. */
  | { kind: 'unsupported'; code: ReceiptReasonCode; message: string };

/** Genesys' default typing indicator lasts 5 s, like Telegram's "typing…". */
const DEFAULT_TYPING_MS = 5000;

/**
 * What Telegram messages an agent reply becomes (SPEC §5 "Outbound to Telegram"): text split at
 * 4096 at paragraph, line, then word boundaries; attachments as files, the first one carrying the
 * text as its caption (≤ 1024) and the rest of the text following as messages; whitespace-only
 * parts dropped (Telegram refuses them); Link attachments as their URL; typing events → typing.
 */
export function planReply(reply: OpenOutboundMessage): ReplyPlan {
  if (reply.type === 'Event') return planEvent(reply);
  if (reply.type !== 'Text' && reply.type !== 'Structured') return { kind: 'ignore', reason: `type ${reply.type}` };

  const attachments = (reply.content ?? []).flatMap((content) => (content.attachment ? [content.attachment] : []));
  const files = attachments.filter((attachment) => attachment.mediaType !== 'Link');
  const links = attachments.filter((attachment) => attachment.mediaType === 'Link').map((link) => link.url);
  const structured = reply.type === 'Structured' ? renderStructured(reply.content ?? [], reply.text ?? '') : undefined;
  const text = structured ? structured.text : (reply.text ?? '');

  const steps: SendStep[] = [];
  let textParts = splitForTelegram(text);
  files.forEach((attachment, index) => {
    if (index === 0 && text.trim() !== '') {
      const { caption, rest } = splitCaption(text);
      textParts = rest;
      steps.push(caption.trim() === '' ? { kind: 'attachment', attachment } : { kind: 'attachment', attachment, caption });
    } else {
      steps.push({ kind: 'attachment', attachment });
    }
  });
  for (const part of [...textParts, ...links]) if (part.trim() !== '') steps.push({ kind: 'text', text: part });
  if (structured && structured.quickReplies.length > 0) carryKeyboard(steps, layoutKeyboard(structured.quickReplies));
  for (const card of structured?.cards ?? []) steps.push(...cardSteps(card));

  // UnsupportedMessage, although the customer got the message: Genesys has no "partly delivered"
  // status, Delivered is true, and this is the receipt code whose meaning ("content the channel
  // cannot show") matches what the reason describes. Genesys stores it with the message.
  const degraded = structured && structured.degraded.length > 0 ? { code: 'UnsupportedMessage' as const, message: `shown differently in Telegram: ${structured.degraded.join('; ')}` } : undefined;
  if (steps.length > 0) return { kind: 'send', steps, ...(degraded ? { degraded } : {}) };
  return reply.type === 'Structured'
    ? { kind: 'unsupported', code: 'UnsupportedMessage', message: degraded?.message ?? 'structured content without text or anything Telegram can show' }
    : { kind: 'unsupported', code: 'InvalidMessageStructure', message: 'the message has neither text nor an attachment' };
}

/** Quick replies ride on the last message of the text (or on a file when there is no text after it). */
function carryKeyboard(steps: SendStep[], keyboard: PlannedKeyboard): void {
  const last = steps.at(-1);
  if (last) last.keyboard = keyboard;
  else steps.push({ kind: 'text', text: KEYBOARD_ONLY_TEXT, keyboard });
}

/**
 * A card: its image (or video) with the text as caption and the buttons under it; text that does
 * not fit a caption (1024) follows as messages, the buttons then under the last one. No image:
 * the text with the buttons.
 */
function cardSteps(card: CardPlan): SendStep[] {
  const keyboard = card.buttons.length > 0 ? layoutKeyboard(card.buttons) : undefined;
  const steps: SendStep[] = [];
  let textParts = splitForTelegram(card.text);
  if (card.media) {
    const { caption, rest } = splitCaption(card.text);
    textParts = rest;
    const fallbackText = caption.trim() !== '' ? caption : card.media.url;
    steps.push({ kind: 'attachment', attachment: { mediaType: card.media.mediaType, url: card.media.url }, ...(caption.trim() !== '' ? { caption } : {}), fallbackText });
  }
  for (const part of textParts) if (part.trim() !== '') steps.push({ kind: 'text', text: part });
  if (keyboard) carryKeyboard(steps, keyboard);
  return steps;
}

function planEvent(reply: OpenOutboundMessage): ReplyPlan {
  const typing = (reply.events ?? []).find((event) => event.eventType.toLowerCase() === 'typing');
  if (!typing) return { kind: 'ignore', reason: 'event without typing' };
  if (typing.typing?.type !== undefined && typing.typing.type.toLowerCase() !== 'on') return { kind: 'ignore', reason: 'typing off' };
  return { kind: 'typing', durationMs: typing.typing?.duration ?? DEFAULT_TYPING_MS };
}
