import type { PrismaClient } from './generated/prisma/client.js';
import { isUniqueViolation } from './prisma.service.js';
import { SecretBoxError, type SecretBox } from './secret-box.js';

/** A channel with its secrets decrypted; lives in memory only, never logged. */
export interface ChannelRecord {
  id: string;
  name: string;
  botToken: string;
  webhookSecret: string;
  genesysIntegrationId: string | null;
  genesysWebhookSecret: string | null;
}

export interface ChannelInput {
  name: string;
  botToken: string;
  webhookSecret: string;
  genesysIntegrationId?: string | null;
  genesysWebhookSecret?: string | null;
}

/** A channel row whose secrets cannot be decrypted (a key missing from ENCRYPTION_KEY(_PREVIOUS), or altered data). */
export interface UnreadableChannel {
  name: string;
  /** Why, naming key ids (public fingerprints), never a secret. */
  reason: string;
}

export interface ChannelListing {
  channels: ChannelRecord[];
  unreadable: UnreadableChannel[];
}

export class ChannelRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly secrets: SecretBox,
  ) {}

  /** Creates or updates by name (the env-defined `default` channel is written at every start). */
  async upsert(input: ChannelInput): Promise<ChannelRecord> {
    const encrypted = {
      botTokenEnc: this.secrets.encrypt(input.botToken),
      telegramSecretEnc: this.secrets.encrypt(input.webhookSecret),
      genesysIntegrationId: input.genesysIntegrationId ?? null,
      genesysWebhookSecretEnc: input.genesysWebhookSecret ? this.secrets.encrypt(input.genesysWebhookSecret) : null,
    };
    const write = () => this.prisma.channel.upsert({ where: { name: input.name }, create: { name: input.name, ...encrypted }, update: encrypted });
    // Several services start at once and all write `default`: the loser of the insert race updates.
    const row = await write().catch((error: unknown) => (isUniqueViolation(error) ? write() : Promise.reject(error)));
    return this.decrypt(row);
  }

  /**
   * After an ENCRYPTION_KEY rotation: rewrites every secret still encrypted under a previous key
   * with the current one. Returns how many channels changed.
   */
  async reencryptUnderCurrentKey(): Promise<number> {
    const rows = await this.prisma.channel.findMany();
    let changed = 0;
    for (const row of rows) {
      const ciphertexts = [row.botTokenEnc, row.telegramSecretEnc, row.genesysWebhookSecretEnc].filter((text): text is string => text !== null);
      if (ciphertexts.every((text) => this.secrets.isEncryptedWithCurrentKey(text))) continue;
      const reencrypt = (text: string) => this.secrets.encrypt(this.secrets.decrypt(text));
      let data: { botTokenEnc: string; telegramSecretEnc: string; genesysWebhookSecretEnc: string | null };
      try {
        data = {
          botTokenEnc: reencrypt(row.botTokenEnc),
          telegramSecretEnc: reencrypt(row.telegramSecretEnc),
          genesysWebhookSecretEnc: row.genesysWebhookSecretEnc ? reencrypt(row.genesysWebhookSecretEnc) : null,
        };
      } catch (error) {
        // Left as it is: the channel directory reports it as unreadable, and the others still start.
        if (error instanceof SecretBoxError) continue;
        throw error;
      }
      await this.prisma.channel.update({ where: { id: row.id }, data });
      changed += 1;
    }
    return changed;
  }

  async findByName(name: string): Promise<ChannelRecord | undefined> {
    const row = await this.prisma.channel.findUnique({ where: { name } });
    return row ? this.decrypt(row) : undefined;
  }

  async list(): Promise<ChannelRecord[]> {
    const rows = await this.prisma.channel.findMany({ orderBy: { name: 'asc' } });
    return rows.map((row) => this.decrypt(row));
  }

  /** Every channel that can be decrypted, and the names of those that cannot, so one bad row does not hide the rest. */
  async listReadable(): Promise<ChannelListing> {
    const rows = await this.prisma.channel.findMany({ orderBy: { name: 'asc' } });
    const listing: ChannelListing = { channels: [], unreadable: [] };
    for (const row of rows) {
      try {
        listing.channels.push(this.decrypt(row));
      } catch (error) {
        if (!(error instanceof SecretBoxError)) throw error;
        listing.unreadable.push({ name: row.name, reason: error.message });
      }
    }
    return listing;
  }

  async remove(name: string): Promise<boolean> {
    const { count } = await this.prisma.channel.deleteMany({ where: { name } });
    return count > 0;
  }

  private decrypt(row: { id: string; name: string; botTokenEnc: string; telegramSecretEnc: string; genesysIntegrationId: string | null; genesysWebhookSecretEnc: string | null }): ChannelRecord {
    return {
      id: row.id,
      name: row.name,
      botToken: this.secrets.decrypt(row.botTokenEnc),
      webhookSecret: this.secrets.decrypt(row.telegramSecretEnc),
      genesysIntegrationId: row.genesysIntegrationId,
      genesysWebhookSecret: row.genesysWebhookSecretEnc ? this.secrets.decrypt(row.genesysWebhookSecretEnc) : null,
    };
  }
}
