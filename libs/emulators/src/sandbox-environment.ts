import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGenesys } from './fake-genesys.js';
import { FakeTelegram } from './fake-telegram.js';
import { quickReplies } from './genesys-structured-content.js';

export interface SandboxPorts {
  telegram: number;
  genesys: number;
  control: number;
}

export interface SandboxTargets {
  ingressUrl: string;
  outboundUrl: string;
}

const INTEGRATION_ID = '5a4db0c5-0000-4000-8000-5a4db0c5a4db';
const MAX_CONTROL_BODY_BYTES = 64 * 1024;

/**
 * Sandbox mode (`npm start` with no credentials): both emulators with one bot, one OAuth client
 * and one integration wired to the local services, plus a small control API that the ingress
 * /sandbox console drives (type or tap a button as the customer, answer as the agent — text or a
 * quick-reply question — and read both transcripts).
 * Credentials are random per run and only ever point at these loopback emulators.
 */
export class SandboxEnvironment {
  private constructor(
    readonly telegram: FakeTelegram,
    readonly genesys: FakeGenesys,
    private readonly control: http.Server,
    readonly credentials: Record<string, string>,
  ) {}

  static async start(ports: SandboxPorts, targets: SandboxTargets): Promise<SandboxEnvironment> {
    const telegram = await FakeTelegram.start({ port: ports.telegram });
    const genesys = await FakeGenesys.start({ port: ports.genesys });
    const botToken = `${7_100_000_000 + Math.floor(Math.random() * 1000)}:sandbox_${randomBytes(12).toString('hex')}`;
    const webhookSecret = `sandbox_${randomBytes(12).toString('hex')}`;
    const clientSecret = randomBytes(16).toString('hex');
    const genesysWebhookSecret = `sandbox-${randomBytes(16).toString('hex')}`;
    telegram.addBot(botToken, { username: 'sandbox_support_bot', firstName: 'Sandbox Support' });
    telegram.setWebhookTarget(botToken, `${targets.ingressUrl}/telegram/webhook/default`, webhookSecret);
    genesys.addClient('sandbox-client', clientSecret);
    genesys.addIntegration(INTEGRATION_ID, { name: 'Sandbox Telegram channel', webhookUrl: `${targets.outboundUrl}/genesys/webhook/default`, webhookSecret: genesysWebhookSecret });
    const credentials = {
      TELEGRAM_API_BASE_URL: telegram.baseUrl,
      GENESYS_LOGIN_BASE_URL: genesys.baseUrl,
      GENESYS_API_BASE_URL: genesys.baseUrl,
      TELEGRAM_BOT_TOKEN: botToken,
      TELEGRAM_WEBHOOK_SECRET: webhookSecret,
      GENESYS_CLIENT_ID: 'sandbox-client',
      GENESYS_CLIENT_SECRET: clientSecret,
      GENESYS_INTEGRATION_ID: INTEGRATION_ID,
      GENESYS_WEBHOOK_SECRET: genesysWebhookSecret,
    };
    const environment = new SandboxEnvironment(telegram, genesys, http.createServer(), credentials);
    environment.control.on('request', (request, response) => void environment.handle(request, response, botToken));
    await new Promise<void>((resolve, reject) => {
      environment.control.once('error', reject);
      environment.control.listen(ports.control, '127.0.0.1', () => resolve());
    });
    return environment;
  }

  get controlUrl(): string {
    return `http://127.0.0.1:${(this.control.address() as AddressInfo).port}`; // listening: address() is an AddressInfo
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.control.close(() => resolve()));
    await Promise.all([this.telegram.close(), this.genesys.close()]);
  }

  private async handle(request: IncomingMessage, response: ServerResponse, botToken: string): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', 'http://sandbox');
      if (request.method === 'GET' && url.pathname === '/state') return send(response, 200, this.state());
      if (request.method === 'POST' && url.pathname === '/customer') {
        const body = await readJson(request);
        const text = typeof body['text'] === 'string' ? body['text'] : '';
        const chatId = typeof body['chatId'] === 'string' && /^\d{1,15}$/.test(body['chatId']) ? body['chatId'] : '7000000001';
        const firstName = typeof body['firstName'] === 'string' ? body['firstName'].slice(0, 64) : 'Sandbox customer';
        if (!text.trim()) return send(response, 400, { error: 'empty_text', message: 'type a message first' });
        const { delivery } = await this.telegram.sendUserMessage(botToken, { chatId, text, from: { firstName, username: 'sandbox_customer', languageCode: 'en' } });
        return send(response, 200, { webhookStatus: delivery.status });
      }
      if (request.method === 'POST' && url.pathname === '/agent') {
        const body = await readJson(request);
        const text = typeof body['text'] === 'string' ? body['text'] : '';
        const customerId = typeof body['customerId'] === 'string' ? body['customerId'] : '';
        if (!text.trim() || !customerId) return send(response, 400, { error: 'bad_request', message: 'customerId and text are required' });
        const options = quickReplyOptionsOf(body['options']);
        if (options === 'invalid') return send(response, 400, { error: 'bad_request', message: `options are up to ${MAX_QUICK_REPLIES} labels of 1–64 characters` });
        // With options, a quick-reply question as a Genesys bot flow sends it (type Structured).
        const result = await this.genesys.sendAgentMessage(
          INTEGRATION_ID,
          options.length > 0 ? { toId: customerId, text, type: 'Structured', structured: quickReplies(...options), originatingEntity: 'Bot' } : { toId: customerId, text },
        );
        return send(response, 200, { webhookStatus: result.status, genesysMessageId: result.id });
      }
      if (request.method === 'POST' && url.pathname === '/tap') {
        const body = await readJson(request);
        const chatId = typeof body['chatId'] === 'string' && /^\d{1,15}$/.test(body['chatId']) ? body['chatId'] : '';
        const messageId = typeof body['messageId'] === 'number' ? body['messageId'] : Number.NaN;
        const callbackData = typeof body['callbackData'] === 'string' ? body['callbackData'] : '';
        if (!chatId || !Number.isInteger(messageId) || !callbackData) return send(response, 400, { error: 'bad_request', message: 'chatId, messageId and callbackData are required' });
        const { delivery } = await this.telegram.tapButton(botToken, { chatId, messageId, callbackData });
        return send(response, 200, { webhookStatus: delivery.status });
      }
      send(response, 404, { error: 'not_found', message: 'no such sandbox route' });
    } catch (error) {
      send(response, 500, { error: 'sandbox_error', message: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Both sides of every chat, without tokens or secrets. */
  private state(): Record<string, unknown> {
    return {
      customerChats: this.telegram.userChats().map(({ chatId, botUsername, messages }) => ({ chatId, botUsername, messages })),
      agentConversations: this.genesys.conversations(),
    };
  }
}

const MAX_QUICK_REPLIES = 10;

/** The quick-reply labels of an agent question: none, or 1–10 non-empty labels of at most 64 characters. */
function quickReplyOptionsOf(value: unknown): string[] | 'invalid' {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_QUICK_REPLIES) return 'invalid';
  const labels = value.map((label) => (typeof label === 'string' ? label.trim() : ''));
  return labels.every((label) => label.length > 0 && label.length <= 64) ? labels : 'invalid';
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_CONTROL_BODY_BYTES) throw new Error('sandbox request too large');
    chunks.push(chunk as Buffer);
  }
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}; // checked just before
}
