import type { OpenOutboundMessage, OutboundAttachment, ReceiptReasonCode } from '@tgg/contracts';
import { splitCaption, splitForTelegram } from '@tgg/telegram';

/** One Telegram message of a reply. A reply's steps are fixed by its content, so a retry resumes at a step index. */
export type SendStep = { kind: 'text'; text: string } | { kind: 'attachment'; attachment: OutboundAttachment; caption?: string };

export type ReplyPlan =
  | { kind: 'send'; steps: SendStep[] }
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
  const text = reply.text ?? '';

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

  if (steps.length > 0) return { kind: 'send', steps };
  return reply.type === 'Structured'
    ? { kind: 'unsupported', code: 'UnsupportedMessage', message: 'structured content (quick replies, cards, carousels) without text cannot be shown in Telegram' }
    : { kind: 'unsupported', code: 'InvalidMessageStructure', message: 'the message has neither text nor an attachment' };
}

function planEvent(reply: OpenOutboundMessage): ReplyPlan {
  const typing = (reply.events ?? []).find((event) => event.eventType.toLowerCase() === 'typing');
  if (!typing) return { kind: 'ignore', reason: 'event without typing' };
  if (typing.typing?.type !== undefined && typing.typing.type.toLowerCase() !== 'on') return { kind: 'ignore', reason: 'typing off' };
  return { kind: 'typing', durationMs: typing.typing?.duration ?? DEFAULT_TYPING_MS };
}
