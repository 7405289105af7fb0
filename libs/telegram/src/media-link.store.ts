import type { Redis } from 'ioredis';
import { mediaLinkIdOf, parseMediaLinkRecord, serializeMediaLinkRecord, signMediaLink, type MediaLinkRecord } from './media-link.js';

// Kept a little past the link's expiry, so a fetch that passed the signature check at the last
// second still finds its record, and a later link to the same file (a retry, or the same file_id
// in another message) that stores it again with a shorter remaining life cannot cut an earlier
// one short by more than this.
export const MEDIA_LINK_RECORD_GRACE_S = 600;

/**
 * Where media link records live: Redis, under `<QUEUE_PREFIX>:media-link:<mediaLinkId>`, expiring
 * with their links. The dispatcher writes them before it hands Genesys the link; ingress reads them
 * when Genesys fetches it.
 */
export class MediaLinkStore {
  constructor(
    private readonly redis: Redis,
    private readonly queuePrefix: string,
    private readonly signingKey: Buffer,
  ) {}

  /** The id and signed path (`/media/…?exp=…&sig=…`) of a record, without storing it: pure. */
  linkOf(record: MediaLinkRecord, expiresAtS: number): { mediaLinkId: string; path: string } {
    const mediaLinkId = mediaLinkIdOf(record, this.signingKey);
    return { mediaLinkId, path: signMediaLink(mediaLinkId, expiresAtS, this.signingKey) };
  }

  /** Stores the records so their links (see `linkOf`) resolve until `expiresAtS` (+ grace). */
  async save(records: readonly MediaLinkRecord[], expiresAtS: number, nowS: number): Promise<void> {
    if (records.length === 0) return;
    const ttlS = Math.max(1, expiresAtS - nowS) + MEDIA_LINK_RECORD_GRACE_S;
    const pipeline = this.redis.multi();
    for (const record of records) pipeline.set(this.keyOf(mediaLinkIdOf(record, this.signingKey)), serializeMediaLinkRecord(record), 'EX', ttlS);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (!results || failed) throw failed ?? new Error('media link records were not stored (transaction aborted)');
  }

  /** The record a verified link names, or undefined when it is unknown or has expired. */
  async find(mediaLinkId: string): Promise<MediaLinkRecord | undefined> {
    return parseMediaLinkRecord(await this.redis.get(this.keyOf(mediaLinkId)));
  }

  private keyOf(mediaLinkId: string): string {
    return `${this.queuePrefix}:media-link:${mediaLinkId}`;
  }
}
