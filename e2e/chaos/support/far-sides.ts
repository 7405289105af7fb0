import type { PreparedAgentMessage } from '@tgg/emulators';
import { BridgeHarness, HARNESS_CREDENTIALS, aTextUpdate } from '@tgg/testing';

/** What one POST got: an HTTP status, or 'refused' when nothing answered (the service is down). */
export type PostOutcome = number | 'refused';

/** One message a far side handed to the bridge, and what it took until the bridge acknowledged it. */
export interface Offer {
  chatId: string;
  /** Telegram message_id (inbound) or Genesys message id (outbound). */
  key: string;
  text: string;
  firstAttemptAtMs: number;
  /** When the bridge answered 200; undefined while it has not. */
  ackAtMs?: number;
  attempts: number;
}

export interface FarSideOptions {
  /** Pause between redeliveries of a message the bridge did not acknowledge. */
  retryDelayMs?: number;
  /** A message still unacknowledged after this long fails the test. */
  giveUpAfterMs?: number;
}

/** Shared by both sides: count outcomes, redeliver until 200. */
abstract class FarSide {
  readonly offers: Offer[] = [];
  readonly outcomes = new Map<string, number>();
  private readonly retryDelayMs: number;
  private readonly giveUpAfterMs: number;

  protected constructor(options: FarSideOptions) {
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.giveUpAfterMs = options.giveUpAfterMs ?? 90_000;
  }

  /** How many POSTs got `outcome` (e.g. 503, 'refused'). */
  count(outcome: PostOutcome): number {
    return this.outcomes.get(String(outcome)) ?? 0;
  }

  /** The acknowledged messages of each chat, in the order they were acknowledged. */
  acknowledged(): Map<string, Offer[]> {
    const byChat = new Map<string, Offer[]>();
    for (const offer of this.offers.filter((entry) => entry.ackAtMs !== undefined).sort((a, b) => (a.ackAtMs ?? 0) - (b.ackAtMs ?? 0))) {
      byChat.set(offer.chatId, [...(byChat.get(offer.chatId) ?? []), offer]);
    }
    return byChat;
  }

  protected async deliverUntilAcknowledged(offer: Offer, post: () => Promise<PostOutcome>): Promise<Offer> {
    this.offers.push(offer);
    for (;;) {
      offer.attempts += 1;
      const outcome = await post();
      this.outcomes.set(String(outcome), this.count(outcome) + 1);
      if (outcome === 200) {
        offer.ackAtMs = Date.now();
        return offer;
      }
      // Down, or "cannot persist right now": both far sides redeliver. Anything else is a test bug.
      if (outcome !== 'refused' && outcome !== 503) throw new Error(`${this.constructor.name}: the bridge answered ${outcome} to ${offer.chatId}/${offer.key}`);
      if (Date.now() - offer.firstAttemptAtMs > this.giveUpAfterMs) throw new Error(`${this.constructor.name}: ${offer.chatId}/${offer.key} not acknowledged within ${this.giveUpAfterMs} ms`);
      await sleep(this.retryDelayMs);
    }
  }
}

/**
 * Telegram as the bridge meets it: a chat's updates one at a time, each POSTed with the secret
 * header until ingress answers 200 — Telegram redelivers an update it saw no 200 for (connection
 * refused while ingress is down, 503 while Redis is). Message ids count from 1 per chat.
 */
export class TelegramSide extends FarSide {
  private nextUpdateId: number;
  private readonly lastMessageId = new Map<string, number>();
  private readonly ingressUrl: string | undefined;

  /** `ingressUrl`: where webhooks go instead of the harness's ingress (e.g. a ReadyForwarder standing in for the Service). */
  constructor(
    private readonly bridge: BridgeHarness,
    options: FarSideOptions & { firstUpdateId?: number; ingressUrl?: string } = {},
  ) {
    super(options);
    this.nextUpdateId = options.firstUpdateId ?? 1;
    this.ingressUrl = options.ingressUrl;
  }

  /** The chat's next message, delivered until acknowledged. */
  async say(chatId: string): Promise<Offer> {
    const messageId = (this.lastMessageId.get(chatId) ?? 0) + 1;
    this.lastMessageId.set(chatId, messageId);
    const update = aTextUpdate({ updateId: this.nextUpdateId++, chatId: Number(chatId), messageId });
    const offer: Offer = { chatId, key: String(messageId), text: update.message?.text ?? '', firstAttemptAtMs: Date.now(), attempts: 0 };
    const body = JSON.stringify(update);
    return this.deliverUntilAcknowledged(offer, () => this.post(body));
  }

  /** One POST of raw update JSON, as Telegram sends it. */
  async post(body: string): Promise<PostOutcome> {
    return postOnce(`${this.ingressUrl ?? this.bridge.url('ingress')}/telegram/webhook/default`, body, {
      'content-type': 'application/json',
      'x-telegram-bot-api-secret-token': HARNESS_CREDENTIALS.webhookSecret,
    });
  }
}

/**
 * Genesys playing an agent: each reply is built and signed once (FakeGenesys.prepareAgentMessage)
 * and the identical bytes are POSTed to the outbound webhook until it answers 200, as Genesys
 * retries a webhook that failed.
 */
export class AgentSide extends FarSide {
  private readonly repliesPerChat = new Map<string, number>();
  readonly prepared = new Map<string, PreparedAgentMessage>();

  constructor(
    private readonly bridge: BridgeHarness,
    options: FarSideOptions = {},
  ) {
    super(options);
  }

  /** The agent's next reply to the chat ("chat <id> reply <n>"), delivered until acknowledged. */
  async reply(chatId: string): Promise<Offer> {
    return this.deliver(this.prepare(chatId));
  }

  prepare(chatId: string): PreparedAgentMessage {
    const n = (this.repliesPerChat.get(chatId) ?? 0) + 1;
    this.repliesPerChat.set(chatId, n);
    const prepared = this.bridge.genesys.prepareAgentMessage(HARNESS_CREDENTIALS.integrationId, { toId: chatId, text: `chat ${chatId} reply ${n}` });
    this.prepared.set(prepared.id, prepared);
    return prepared;
  }

  async deliver(prepared: PreparedAgentMessage): Promise<Offer> {
    const chatId = String((prepared.body['channel'] as { to: { id: string } }).to.id); // built by FakeGenesys with this shape
    const offer: Offer = { chatId, key: prepared.id, text: String(prepared.body['text']), firstAttemptAtMs: Date.now(), attempts: 0 };
    return this.deliverUntilAcknowledged(offer, () => this.post(prepared));
  }

  /** One POST of the prepared bytes (the same signature every time). */
  async post(prepared: PreparedAgentMessage): Promise<PostOutcome> {
    return postOnce(prepared.webhookUrl, prepared.bytes, prepared.headers);
  }
}

async function postOnce(url: string, body: string | Buffer, headers: Record<string, string>): Promise<PostOutcome> {
  try {
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 'refused';
  }
}

/** Every chat acts every `intervalMs` (staggered), one act at a time per chat, until stopped. */
export class SteadyLoad {
  private stopped = false;
  private readonly loops: Promise<void>[];
  private failure: unknown;

  constructor(chats: readonly string[], intervalMs: number, act: (chatId: string) => Promise<unknown>) {
    this.loops = chats.map(async (chatId, index) => {
      await sleep(Math.floor((index * intervalMs) / chats.length));
      while (!this.stopped) {
        const startedAtMs = Date.now();
        try {
          await act(chatId);
        } catch (error) {
          this.failure ??= error;
          this.stopped = true;
          return;
        }
        await sleep(Math.max(0, intervalMs - (Date.now() - startedAtMs)));
      }
    });
  }

  /** Stops after each chat's current act (which may be waiting for an acknowledgement) completes. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    if (this.failure) throw this.failure;
  }
}

/** Only to hold a fault open for its duration, or to let load run: never to wait for an outcome. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
