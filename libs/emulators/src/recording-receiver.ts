import type { IncomingHttpHeaders } from 'node:http';
import { ArrivalWaiters } from './arrival-waiters.js';
import { EmulatorHttpServer, requestUrl, sendJson } from './http-server.js';
import { readRawBody } from './request-body.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  atMs: number;
}

/**
 * A stand-in for our own webhooks in emulator tests: records every request with its raw bytes
 * (signatures are checked over bytes) and answers `status`, which a test may change.
 */
export class RecordingReceiver {
  readonly received: ReceivedRequest[] = [];
  /** What the next requests are answered with. */
  status = 200;
  private readonly waiters = new ArrivalWaiters<ReceivedRequest>(this.received, 'received requests');

  // Assigned in start(): the server's handler needs the instance, so the instance comes first.
  private server!: EmulatorHttpServer;

  private constructor() {}

  static async start(): Promise<RecordingReceiver> {
    const receiver = new RecordingReceiver();
    receiver.server = await EmulatorHttpServer.listen(
      0,
      async (request, response) => {
        const rawBody = await readRawBody(request, 10 * 1024 * 1024);
        const path = requestUrl(request).pathname;
        receiver.received.push({ method: request.method ?? 'GET', path, headers: request.headers, rawBody, atMs: Date.now() });
        receiver.waiters.notify();
        sendJson(response, receiver.status, {});
      },
      (response, error) => sendJson(response, 500, { error: String(error) }),
    );
    return receiver;
  }

  url(path = '/'): string {
    return `${this.server.baseUrl}${path}`;
  }

  async waitForRequests(count = 1, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
    return this.waiters.waitFor(() => true, count, timeoutMs);
  }

  async close(): Promise<void> {
    this.waiters.rejectAll('RecordingReceiver closed');
    await this.server.close();
  }
}
