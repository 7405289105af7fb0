import { z } from 'zod';

/**
 * Genesys Cloud Open Messaging shapes (https://developer.genesys.cloud/commdigital/digital/openmessaging/). Enums are
 * read case-insensitively and unknown values are kept, never rejected: Genesys adds values.
 */

export const GenesysMediaType = z.enum(['Image', 'Video', 'Audio', 'File', 'Link']);
export type GenesysMediaType = z.infer<typeof GenesysMediaType>;

export const InboundAttachment = z.object({
  mediaType: GenesysMediaType,
  url: z.string().url(),
  mime: z.string(),
  filename: z.string().optional(),
  text: z.string().optional(),
  id: z.string().optional(),
});
export type InboundAttachment = z.infer<typeof InboundAttachment>;

/** Body of POST /api/v2/conversations/messages/{integrationId}/inbound/open/message. */
export const OpenInboundMessage = z.object({
  channel: z.object({
    messageId: z.string(),
    time: z.string(),
    from: z.object({
      id: z.string(),
      idType: z.literal('Opaque'),
      nickname: z.string().optional(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
    }),
    metadata: z.object({ customAttributes: z.record(z.string(), z.string()) }).optional(),
  }),
  text: z.string().optional(),
  content: z.array(z.object({ attachment: InboundAttachment })).optional(),
});
export type OpenInboundMessage = z.infer<typeof OpenInboundMessage>;

/**
 * Body of POST …/inbound/open/structured/response (`OpenInboundStructuredResponseMessage`): a
 * customer's answer to a quick reply / button of the outbound `Structured` message
 * `originatingMessageId`. `channel` is the same as for a message.
 */
export const OpenInboundStructuredResponse = z.object({
  channel: OpenInboundMessage.shape.channel,
  buttonResponse: z.object({ type: z.enum(['Button', 'QuickReply', 'DatePicker']), text: z.string(), payload: z.string() }),
  originatingMessageId: z.string().min(1),
});
export type OpenInboundStructuredResponse = z.infer<typeof OpenInboundStructuredResponse>;

/** What we read of its response (`conversationId` only with ?prefetchConversationId=true). */
export const OpenInboundMessageResponse = z.looseObject({
  id: z.string().optional(),
  conversationId: z.string().optional(),
});
export type OpenInboundMessageResponse = z.infer<typeof OpenInboundMessageResponse>;

export const ReceiptReasonCode = z.enum([
  'MessageExpired', 'RateLimited', 'MessageNotAllowed', 'GeneralError', 'UnsupportedMessage', 'UnknownMessage',
  'InvalidMessageStructure', 'InvalidDestination', 'ServerError', 'MediaTypeNotAllowed', 'InvalidMediaContentLength',
  'RecipientOptedOut', 'DataFiltered',
]);
export type ReceiptReasonCode = z.infer<typeof ReceiptReasonCode>;

/** Body of POST …/inbound/open/receipt (only Delivered and Failed are accepted there). */
export const OpenInboundReceipt = z.object({
  id: z.string(),
  channel: z.object({ to: z.object({ id: z.string(), idType: z.literal('Opaque').optional() }), time: z.string() }),
  status: z.enum(['Delivered', 'Failed']),
  reasons: z.array(z.object({ code: ReceiptReasonCode, message: z.string().optional() })).optional(),
  isFinalReceipt: z.boolean().optional(),
});
export type OpenInboundReceipt = z.infer<typeof OpenInboundReceipt>;

const caseInsensitive = <T extends string>(values: readonly T[]) =>
  z.string().transform((value) => values.find((known) => known.toLowerCase() === value.toLowerCase()) ?? value);

/** As Genesys sends it: loose (fields get added), mediaType in any case, url and mime not guaranteed. */
export const OutboundAttachment = z.looseObject({
  ...InboundAttachment.pick({ id: true, filename: true }).shape,
  mediaType: caseInsensitive(GenesysMediaType.options),
  url: z.string(),
  mime: z.string().optional(),
  contentSizeBytes: z.number().optional(),
});
export type OutboundAttachment = z.infer<typeof OutboundAttachment>;

/** What Genesys POSTs to our outbound webhook (an agent reply, a typing event, a receipt, …). */
export const OpenOutboundMessage = z.looseObject({
  id: z.string().min(1).max(128),
  channel: z.looseObject({
    id: z.string().optional(),
    messageId: z.string().optional(),
    to: z.looseObject({ id: z.string().min(1), idType: z.string().optional() }),
    time: z.string().optional(),
  }),
  type: caseInsensitive(['Text', 'Structured', 'Event', 'Receipt'] as const),
  text: z.string().optional(),
  content: z.array(z.looseObject({ contentType: z.string().optional(), attachment: OutboundAttachment.optional() })).optional(),
  events: z.array(z.looseObject({ eventType: z.string(), typing: z.looseObject({ type: z.string().optional(), duration: z.number().optional() }).optional() })).optional(),
  status: z.string().optional(),
  reasons: z.array(z.looseObject({ code: z.string().optional(), message: z.string().optional() })).optional(),
  conversationId: z.string().optional(),
  direction: z.string().optional(),
});
export type OpenOutboundMessage = z.infer<typeof OpenOutboundMessage>;

/** OAuth client-credentials token response. */
export const GenesysTokenResponse = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().optional(),
});
export type GenesysTokenResponse = z.infer<typeof GenesysTokenResponse>;
