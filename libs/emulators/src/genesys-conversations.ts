import { randomUUID } from 'node:crypto';

export interface TranscriptAttachment {
  mediaType: string;
  url: string;
  mime?: string;
  filename?: string;
}

export interface TranscriptReceipt {
  status: 'Delivered' | 'Failed';
  reasons?: { code: string; message?: string }[];
}

export interface TranscriptMessage {
  direction: 'Inbound' | 'Outbound';
  genesysMessageId: string;
  text?: string;
  attachments: TranscriptAttachment[];
  /** A `Structured` agent message's content items (quick replies, cards, …), as sent. */
  structured?: Record<string, unknown>[];
  atMs: number;
  /** For agent messages: the last receipt the bridge posted for it. */
  receipt?: TranscriptReceipt;
}

/** The agent's view of one customer of one integration, as the sandbox page renders it. */
export interface ConversationView {
  integrationId: string;
  customerId: string;
  conversationId: string;
  nickname?: string;
  messages: TranscriptMessage[];
}

/**
 * Conversations keyed by (integration, customer id): Genesys keys the conversation on
 * `channel.from.id`, so the same customer keeps one conversation id
 * (https://developer.genesys.cloud/commdigital/digital/openmessaging/).
 */
export class ConversationStore {
  private readonly byKey = new Map<string, ConversationView>();
  /** Ids of every agent message (any type) per conversation id: what a structured response may answer. */
  private readonly agentMessageIds = new Map<string, Set<string>>();

  getOrCreate(integrationId: string, customerId: string): ConversationView {
    const key = JSON.stringify([integrationId, customerId]);
    let conversation = this.byKey.get(key);
    if (!conversation) {
      conversation = { integrationId, customerId, conversationId: randomUUID(), messages: [] };
      this.byKey.set(key, conversation);
    }
    return conversation;
  }

  find(integrationId: string, customerId: string): ConversationView | undefined {
    return this.byKey.get(JSON.stringify([integrationId, customerId]));
  }

  /** Remembers an agent message of any type (Text, Structured, …) as sent in the customer's current conversation. */
  rememberAgentMessage(conversationId: string, genesysMessageId: string): void {
    const ids = this.agentMessageIds.get(conversationId) ?? new Set<string>();
    ids.add(genesysMessageId);
    this.agentMessageIds.set(conversationId, ids);
  }

  /** Whether `genesysMessageId` is an agent message of the customer's conversation that is still open. */
  isOpenAgentMessage(integrationId: string, customerId: string, genesysMessageId: string): boolean {
    const conversation = this.find(integrationId, customerId);
    return conversation !== undefined && (this.agentMessageIds.get(conversation.conversationId)?.has(genesysMessageId) ?? false);
  }

  /** Ends the customer's conversation (an agent disconnected it): the next message opens a new one with a new id. */
  end(integrationId: string, customerId: string): void {
    this.byKey.delete(JSON.stringify([integrationId, customerId]));
  }

  /** Records a receipt on the agent message it is about; false when no such message exists. */
  attachReceipt(integrationId: string, customerId: string, genesysMessageId: string, receipt: TranscriptReceipt): boolean {
    const message = this.find(integrationId, customerId)?.messages.find(
      (candidate) => candidate.direction === 'Outbound' && candidate.genesysMessageId === genesysMessageId,
    );
    if (!message) return false;
    message.receipt = receipt;
    return true;
  }

  /** Deep enough copies that a caller cannot rewrite history. */
  list(): ConversationView[] {
    return [...this.byKey.values()].map((conversation) => ({
      ...conversation,
      messages: conversation.messages.map((message) => ({
        ...message,
        attachments: message.attachments.map((attachment) => ({ ...attachment })),
        ...(message.structured ? { structured: structuredClone(message.structured) } : {}),
      })),
    }));
  }
}
