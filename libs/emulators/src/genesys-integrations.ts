import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { notFound } from './genesys-errors.js';
import type { HttpOutcome } from './http-server.js';
import { parseRequest } from './genesys-json-request.js';

export interface IntegrationRecord {
  id: string;
  name: string;
  webhookUrl?: string;
  webhookSecret?: string;
  webhookHeaders?: Record<string, string>;
  recipientId: string;
  dateCreatedIso: string;
  dateModifiedIso: string;
}

export interface IntegrationSettings {
  name?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  webhookHeaders?: Record<string, string>;
}

/** OpenIntegrationRequest (the Platform API model, https://www.npmjs.com/package/purecloud-platform-client-v2); the secret must be longer than 15 characters. */
const OpenIntegrationRequest = z.object({
  name: z.string().min(1),
  outboundNotificationWebhookUrl: z.url(),
  outboundNotificationWebhookSignatureSecretToken: z.string().min(16, 'must be longer than 15 characters'),
  webhookHeaders: z.record(z.string(), z.string()).optional(),
});

/** OpenIntegrationUpdateRequest: the same fields, all optional except `name`. */
const OpenIntegrationUpdateRequest = OpenIntegrationRequest.partial().extend({ name: z.string().min(1) });

const SELF_URI_BASE = '/api/v2/conversations/messaging/integrations/open';
const EMULATOR_USER = { id: '00000000-0000-4000-8000-00000000e001' };

/** Open Messaging integrations: registered by tests directly or created through the API. */
export class IntegrationStore {
  private readonly byId = new Map<string, IntegrationRecord>();

  constructor(private readonly clock: () => number) {}

  /** Creates the integration or changes only the settings given. */
  upsert(integrationId: string, settings: IntegrationSettings): IntegrationRecord {
    const nowIso = new Date(this.clock()).toISOString();
    const existing = this.byId.get(integrationId);
    const created = { id: integrationId, name: `Open Messaging ${integrationId.slice(0, 8)}`, recipientId: randomUUID(), dateCreatedIso: nowIso };
    const record: IntegrationRecord = {
      ...(existing ?? created),
      ...definedOnly(settings),
      dateModifiedIso: nowIso,
    };
    this.byId.set(integrationId, record);
    return record;
  }

  get(integrationId: string): IntegrationRecord | undefined {
    return this.byId.get(integrationId);
  }

  /** Answers /api/v2/conversations/messaging/integrations/open[/:id]. */
  handleApi(httpMethod: string, integrationId: string | undefined, rawBody: Buffer): HttpOutcome {
    if (integrationId === undefined) {
      if (httpMethod === 'GET') {
        const entities = [...this.byId.values()].map(toOpenIntegration);
        return { status: 200, body: { entities, pageSize: 25, pageNumber: 1, total: entities.length, pageCount: 1 } };
      }
      if (httpMethod === 'POST') return this.create(rawBody);
      return notFound(`No ${httpMethod} on ${SELF_URI_BASE}`);
    }
    const existing = this.byId.get(integrationId);
    if (!existing) return notFound(`Open messaging integration ${integrationId} not found`);
    switch (httpMethod) {
      case 'GET':
        return { status: 200, body: toOpenIntegration(existing) };
      case 'PATCH':
        return this.update(integrationId, rawBody);
      case 'DELETE':
        this.byId.delete(integrationId);
        return { status: 204 };
      default:
        return notFound(`No ${httpMethod} on ${SELF_URI_BASE}/{integrationId}`);
    }
  }

  private create(rawBody: Buffer): HttpOutcome {
    const request = parseRequest(OpenIntegrationRequest, rawBody);
    if ('error' in request) return request.error;
    const record = this.upsert(randomUUID(), settingsOf(request.value));
    return { status: 200, body: toOpenIntegration(record) };
  }

  private update(integrationId: string, rawBody: Buffer): HttpOutcome {
    const request = parseRequest(OpenIntegrationUpdateRequest, rawBody);
    if ('error' in request) return request.error;
    return { status: 200, body: toOpenIntegration(this.upsert(integrationId, settingsOf(request.value))) };
  }
}

function settingsOf(request: z.infer<typeof OpenIntegrationUpdateRequest>): IntegrationSettings {
  return definedOnly({
    name: request.name,
    webhookUrl: request.outboundNotificationWebhookUrl,
    webhookSecret: request.outboundNotificationWebhookSignatureSecretToken,
    webhookHeaders: request.webhookHeaders,
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  // Object.entries loses the key types; filtering keeps a subset of T's own keys and values.
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/** OpenIntegration as the API returns it; the signature secret is never echoed back. */
export function toOpenIntegration(record: IntegrationRecord): Record<string, unknown> {
  return {
    id: record.id,
    name: record.name,
    ...(record.webhookUrl === undefined ? {} : { outboundNotificationWebhookUrl: record.webhookUrl }),
    ...(record.webhookHeaders === undefined ? {} : { webhookHeaders: record.webhookHeaders }),
    recipient: { id: record.recipientId, selfUri: `/api/v2/routing/message/recipients/${record.recipientId}` },
    dateCreated: record.dateCreatedIso,
    dateModified: record.dateModifiedIso,
    createdBy: EMULATOR_USER,
    modifiedBy: EMULATOR_USER,
    // Real creation is asynchronous (poll until Completed); the emulator completes at once.
    createStatus: 'Completed',
    status: 'Active',
    selfUri: `${SELF_URI_BASE}/${record.id}`,
  };
}
