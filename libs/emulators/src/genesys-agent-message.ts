import { createHmac, randomBytes } from 'node:crypto';
import type { GenesysMediaType } from '@tgg/contracts';
import type { IntegrationRecord } from './genesys-integrations.js';
import type { StructuredContentItem } from './genesys-structured-content.js';

export interface AgentAttachment {
  mediaType: GenesysMediaType;
  url: string;
  mime?: string;
  filename?: string;
  contentSizeBytes?: number;
  id?: string;
}

export interface AgentEvent {
  eventType: string;
  typing?: { type: string; duration?: number };
}

export interface AgentMessageInput {
  /** The customer: the `channel.from.id` the bridge sent inbound (the Telegram chat id). */
  toId: string;
  text?: string;
  attachment?: AgentAttachment;
  /** `Event` defaults to one typing event of 5 s, as Genesys sends when the agent types. */
  type?: 'Text' | 'Event' | 'Structured';
  events?: AgentEvent[];
  /** For `Structured`: quick replies, cards, a carousel, … (genesys-structured-content.ts). */
  structured?: StructuredContentItem[];
  originatingEntity?: 'Human' | 'Bot';
}

/** Genesys message ids in captured payloads are 32 hex digits. */
export function newGenesysMessageId(): string {
  return randomBytes(16).toString('hex');
}

/** The outbound OpenNormalizedMessage exactly as Genesys POSTs it to the webhook (https://developer.genesys.cloud/commdigital/digital/openmessaging/outboundMessages). */
export function buildAgentMessage(
  integration: IntegrationRecord,
  input: AgentMessageInput,
  context: { genesysMessageId: string; conversationId: string; nowMs: number },
): Record<string, unknown> {
  const type = input.type ?? 'Text';
  const events = type === 'Event' ? (input.events ?? [{ eventType: 'Typing', typing: { type: 'On', duration: 5000 } }]) : undefined;
  return {
    id: context.genesysMessageId,
    channel: {
      id: integration.id,
      platform: 'Open',
      type: 'Private',
      messageId: context.genesysMessageId,
      to: { id: input.toId, idType: 'Opaque' },
      from: { nickname: integration.name, id: integration.id, idType: 'Opaque' },
      time: new Date(context.nowMs).toISOString(),
      metadata: { subType: 'None' },
    },
    type,
    ...(input.text === undefined ? {} : { text: input.text }),
    ...(input.attachment || input.structured
      ? { content: [...(input.attachment ? [{ contentType: 'Attachment', attachment: input.attachment }] : []), ...(input.structured ?? [])] }
      : {}),
    ...(events ? { events } : {}),
    originatingEntity: input.originatingEntity ?? 'Human',
    direction: 'Outbound',
    conversationId: context.conversationId,
  };
}

/** `X-Hub-Signature-256` value: base64 (not hex) HMAC-SHA256 of the exact bytes sent (https://developer.genesys.cloud/commdigital/digital/openmessaging/validate.html). */
export function hubSignature(bodyBytes: Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(bodyBytes).digest('base64')}`;
}

const MEDIA_TYPE_BY_MIME_PREFIX: readonly [string, GenesysMediaType][] = [
  ['image/', 'Image'],
  ['video/', 'Video'],
  ['audio/', 'Audio'],
];

export function mediaTypeOfMime(mime: string): GenesysMediaType {
  return MEDIA_TYPE_BY_MIME_PREFIX.find(([prefix]) => mime.startsWith(prefix))?.[1] ?? 'File';
}
