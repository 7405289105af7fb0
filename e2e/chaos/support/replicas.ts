import type { GenesysRequestRecord, PreparedAgentMessage, TelegramCall } from '@tgg/emulators';
import { AgentSide, TelegramSide, type FarSideOptions, type PostOutcome } from './far-sides.js';

/**
 * The replicas of one HTTP service as a load balancer without health checks sees them: each POST
 * goes to the next one in turn, whether it is alive or not. A POST to a killed replica is refused
 * and the far side redelivers it, to the next replica.
 */
export class ReplicaRotation {
  private next = 0;
  /** Per replica URL: how many POSTs it answered 200. */
  readonly acknowledgedBy = new Map<string, number>();

  constructor(readonly urls: readonly string[]) {}

  take(): string {
    const url = this.urls[this.next % this.urls.length] ?? '';
    this.next += 1;
    return url;
  }

  async post(path: string, body: string | Buffer, headers: Record<string, string>): Promise<PostOutcome> {
    const url = this.take();
    const outcome = await postOnce(`${url}${path}`, body, headers);
    if (outcome === 200) this.acknowledgedBy.set(url, (this.acknowledgedBy.get(url) ?? 0) + 1);
    return outcome;
  }

  /** Acknowledged per replica, e.g. "312 + 297". */
  describe(): string {
    return this.urls.map((url) => this.acknowledgedBy.get(url) ?? 0).join(' + ');
  }
}

/** Telegram posting each update to the next ingress replica (the same update, redelivered, to the next). */
export class RotatingTelegramSide extends TelegramSide {
  constructor(
    bridge: ConstructorParameters<typeof TelegramSide>[0],
    private readonly ingress: ReplicaRotation,
    private readonly webhookSecret: string,
    options: FarSideOptions = {},
  ) {
    super(bridge, options);
  }

  override post(body: string): Promise<PostOutcome> {
    return this.ingress.post('/telegram/webhook/default', body, { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': this.webhookSecret });
  }
}

/** Genesys posting each agent message (the same signed bytes every time) to the next outbound replica. */
export class RotatingAgentSide extends AgentSide {
  constructor(
    bridge: ConstructorParameters<typeof AgentSide>[0],
    private readonly outbound: ReplicaRotation,
    options: FarSideOptions = {},
  ) {
    super(bridge, options);
  }

  override post(prepared: PreparedAgentMessage): Promise<PostOutcome> {
    return this.outbound.post(new URL(prepared.webhookUrl).pathname, prepared.bytes, prepared.headers);
  }
}

async function postOnce(url: string, body: string | Buffer, headers: Record<string, string>): Promise<PostOutcome> {
  try {
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    // Refused, or the connection died with the replica: no answer, so the far side redelivers.
    return 'refused';
  }
}

/**
 * One round trip to each emulator (any path; an unknown one is answered 404). The emulators run on
 * the test's event loop: once the answers are back, what a killed process had written to them
 * before it died has been read and stamped.
 */
export async function emulatorsCaughtUp(baseUrls: readonly string[]): Promise<void> {
  await Promise.all(baseUrls.map(async (baseUrl) => {
    const response = await fetch(`${baseUrl}/caught-up`);
    await response.arrayBuffer();
  }));
}

/** Two requests of one chat open at Genesys at the same time: `later` started before `earlier` was answered. */
export interface Overlap {
  chatId: string;
  earlier: GenesysRequestRecord;
  later: GenesysRequestRecord;
}

/**
 * Per chat, the inbound message requests Genesys had open at once (messageId `<chat>:<message_id>`),
 * by the emulator's arrival and answer stamps. One message in flight per chat means request i+1
 * starts only after request i was answered.
 */
export function genesysOverlaps(requests: readonly GenesysRequestRecord[], chatIds: readonly string[]): Overlap[] {
  const chats = new Set(chatIds);
  const byChat = new Map<string, GenesysRequestRecord[]>();
  for (const request of requests) {
    if (request.route !== 'message' || request.messageId === undefined) continue;
    const chatId = request.messageId.split(':')[0] ?? '';
    if (chats.has(chatId)) byChat.set(chatId, [...(byChat.get(chatId) ?? []), request]);
  }
  const overlaps: Overlap[] = [];
  for (const [chatId, ofChat] of byChat) {
    // Against the request answered last so far, so an overlap with any earlier one shows.
    let open: GenesysRequestRecord | undefined;
    for (const request of [...ofChat].sort((a, b) => a.startedAtMs - b.startedAtMs)) {
      if (open && request.startedAtMs < answeredAt(open)) overlaps.push({ chatId, earlier: open, later: request });
      if (!open || answeredAt(request) > answeredAt(open)) open = request;
    }
  }
  return overlaps;
}

/** Never answered (the emulator closed first) counts as open for ever. */
function answeredAt(request: GenesysRequestRecord): number {
  return request.answeredAtMs ?? Infinity;
}

/** The most requests Telegram received in any sliding second (its receive stamps). */
export function busiestSecond(calls: readonly TelegramCall[]): number {
  const times = calls.map((call) => call.atMs).sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[j] ?? Infinity) < (times[i] ?? 0) + 1000) j++;
    busiest = Math.max(busiest, j - i);
  }
  return busiest;
}
