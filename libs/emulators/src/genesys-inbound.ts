import { OpenInboundMessage, OpenInboundReceipt, OpenInboundStructuredResponse } from '@tgg/contracts';
import { z } from 'zod';
import { newGenesysMessageId } from './genesys-agent-message.js';
import type { ConversationStore } from './genesys-conversations.js';
import { badRequest } from './genesys-errors.js';
import type { HttpOutcome } from './http-server.js';
import { parseRequest } from './genesys-json-request.js';

/** OpenInboundNormalizedEvent (the Platform API model, https://www.npmjs.com/package/purecloud-platform-client-v2); the contracts lib has no schema since the bridge never sends it. */
export const OpenInboundEvent = z.object({
  channel: z.object({
    from: z.looseObject({ id: z.string(), idType: z.string() }),
    time: z.string(),
  }),
  events: z.array(z.looseObject({ eventType: z.string() })).min(1),
});
export type OpenInboundEvent = z.infer<typeof OpenInboundEvent>;

interface InboundRecordBase {
  integrationId: string;
  /** The bearer token the request carried, to check which token a client used. */
  accessToken: string;
  atMs: number;
}

export interface InboundMessageRecord extends InboundRecordBase {
  body: OpenInboundMessage;
  prefetchConversationId: boolean;
  genesysMessageId: string;
  conversationId: string;
}

export interface InboundReceiptRecord extends InboundRecordBase {
  body: OpenInboundReceipt;
  /** Whether the receipt named an agent message this emulator sent to that customer. */
  matchedAgentMessage: boolean;
}

export interface InboundStructuredResponseRecord extends InboundRecordBase {
  body: OpenInboundStructuredResponse;
  genesysMessageId: string;
  conversationId: string;
}

export interface InboundEventRecord extends InboundRecordBase {
  body: OpenInboundEvent;
}

export interface InboundRequest {
  integrationId: string;
  accessToken: string;
  rawBody: Buffer;
  nowMs: number;
  conversations: ConversationStore;
}

/** What every record of an accepted customer message (text or structured response) holds besides its body. */
function acceptedRecordBase(request: InboundRequest, genesysMessageId: string, conversationId: string) {
  return { integrationId: request.integrationId, accessToken: request.accessToken, genesysMessageId, conversationId, atMs: request.nowMs };
}

/** The `channel` Genesys echoes in its answer to a customer message: the request's, with the integration as recipient. */
function echoedChannel(integrationId: string, channel: OpenInboundMessage['channel']): Record<string, unknown> {
  return { id: integrationId, platform: 'Open', type: 'Private', messageId: channel.messageId, to: { id: integrationId, idType: 'Opaque' }, from: channel.from, time: channel.time };
}

/** POST …/inbound/open/message: accepted messages join the customer's conversation. */
export function acceptInboundMessage(
  request: InboundRequest & { prefetchConversationId: boolean },
): { outcome: HttpOutcome; record?: InboundMessageRecord } {
  const parsed = parseRequest(OpenInboundMessage, request.rawBody);
  if ('error' in parsed) return { outcome: parsed.error };
  const body = parsed.value;
  // Genesys documents no exact rule (https://developer.genesys.cloud/commdigital/digital/openmessaging/); an empty message is meaningless either way.
  if (!body.text && !body.content?.length) return { outcome: badRequest('A message needs text or content.') };

  const conversation = request.conversations.getOrCreate(request.integrationId, body.channel.from.id);
  const nickname = body.channel.from.nickname;
  if (nickname) conversation.nickname = nickname;
  const genesysMessageId = newGenesysMessageId();
  conversation.messages.push({
    direction: 'Inbound',
    genesysMessageId,
    ...(body.text === undefined ? {} : { text: body.text }),
    attachments: (body.content ?? []).map(({ attachment }) => ({
      mediaType: attachment.mediaType,
      url: attachment.url,
      mime: attachment.mime,
      ...(attachment.filename === undefined ? {} : { filename: attachment.filename }),
    })),
    atMs: request.nowMs,
  });

  const record: InboundMessageRecord = {
    ...acceptedRecordBase(request, genesysMessageId, conversation.conversationId),
    body,
    prefetchConversationId: request.prefetchConversationId,
  };
  const responseBody = {
    id: genesysMessageId,
    channel: echoedChannel(request.integrationId, body.channel),
    type: 'Text',
    ...(body.text === undefined ? {} : { text: body.text }),
    ...(body.content ? { content: body.content.map(({ attachment }) => ({ contentType: 'Attachment', attachment })) } : {}),
    direction: 'Inbound',
    // Genesys fills this in only when asked (?prefetchConversationId=true, https://developer.genesys.cloud/commdigital/digital/openmessaging/); the bridge depends on asking.
    ...(request.prefetchConversationId ? { conversationId: conversation.conversationId } : {}),
  };
  return { outcome: { status: 200, body: responseBody }, record };
}

/**
 * POST …/inbound/open/structured/response: a customer's answer to a quick reply / button. It joins
 * the customer's conversation when `originatingMessageId` is an agent message of that conversation
 * still open; otherwise 400 — Genesys documents no rule here, and this emulator's wording is its own,
 * but a response to a message of an ended conversation has no conversation to join.
 */
export function acceptStructuredResponse(request: InboundRequest): { outcome: HttpOutcome; record?: InboundStructuredResponseRecord } {
  const parsed = parseRequest(OpenInboundStructuredResponse, request.rawBody);
  if ('error' in parsed) return { outcome: parsed.error };
  const body = parsed.value;
  const customerId = body.channel.from.id;
  if (!request.conversations.isOpenAgentMessage(request.integrationId, customerId, body.originatingMessageId)) {
    return { outcome: badRequest(`The originating message ${body.originatingMessageId} is not part of an active conversation for this recipient.`) };
  }
  const conversation = request.conversations.getOrCreate(request.integrationId, customerId);
  const genesysMessageId = newGenesysMessageId();
  conversation.messages.push({ direction: 'Inbound', genesysMessageId, text: body.buttonResponse.text, attachments: [], atMs: request.nowMs });
  const record: InboundStructuredResponseRecord = { ...acceptedRecordBase(request, genesysMessageId, conversation.conversationId), body };
  const responseBody = {
    id: genesysMessageId,
    channel: echoedChannel(request.integrationId, body.channel),
    type: 'Structured',
    content: [{ contentType: 'ButtonResponse', buttonResponse: body.buttonResponse }],
    originatingMessageId: body.originatingMessageId,
    direction: 'Inbound',
  };
  return { outcome: { status: 200, body: responseBody }, record };
}

/** POST …/inbound/open/receipt: the receipt is shown on the agent message it names. */
export function acceptInboundReceipt(request: InboundRequest): { outcome: HttpOutcome; record?: InboundReceiptRecord } {
  const parsed = parseRequest(OpenInboundReceipt, request.rawBody);
  if ('error' in parsed) return { outcome: parsed.error };
  const body = parsed.value;
  const matchedAgentMessage = request.conversations.attachReceipt(request.integrationId, body.channel.to.id, body.id, {
    status: body.status,
    ...(body.reasons ? { reasons: body.reasons } : {}),
  });
  const record: InboundReceiptRecord = {
    integrationId: request.integrationId,
    body,
    matchedAgentMessage,
    accessToken: request.accessToken,
    atMs: request.nowMs,
  };
  const responseBody = {
    id: body.id,
    channel: { id: request.integrationId, platform: 'Open', type: 'Private', to: body.channel.to, time: body.channel.time },
    type: 'Receipt',
    status: body.status,
    ...(body.reasons ? { reasons: body.reasons } : {}),
    ...(body.isFinalReceipt === undefined ? {} : { isFinalReceipt: body.isFinalReceipt }),
    direction: 'Outbound',
  };
  return { outcome: { status: 200, body: responseBody }, record };
}

/** POST …/inbound/open/event (customer typing). */
export function acceptInboundEvent(request: InboundRequest): { outcome: HttpOutcome; record?: InboundEventRecord } {
  const parsed = parseRequest(OpenInboundEvent, request.rawBody);
  if ('error' in parsed) return { outcome: parsed.error };
  const body = parsed.value;
  const record: InboundEventRecord = { integrationId: request.integrationId, body, accessToken: request.accessToken, atMs: request.nowMs };
  const responseBody = {
    id: newGenesysMessageId(),
    channel: { id: request.integrationId, platform: 'Open', type: 'Private', from: body.channel.from, time: body.channel.time },
    type: 'Event',
    events: body.events,
    direction: 'Inbound',
  };
  return { outcome: { status: 200, body: responseBody }, record };
}
