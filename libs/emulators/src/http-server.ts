import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** Answers a request whose handler threw: an emulator bug must show up in the test, not hang it. */
export type CrashResponder = (response: ServerResponse, error: unknown) => void;

/**
 * A `node:http` server on 127.0.0.1 plus the timers of stalled responses, so `close()` can end
 * everything at once: keep-alive sockets from fetch would otherwise hold `server.close()` open.
 */
export class EmulatorHttpServer {
  private readonly pendingDelays = new Set<{ timer: NodeJS.Timeout; finish: () => void }>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async listen(port: number, handler: RequestHandler, respondToCrash: CrashResponder): Promise<EmulatorHttpServer> {
    const server = createServer((request, response) => {
      handler(request, response).catch((error: unknown) => {
        // Once headers are out there is no status left to report with: cut the connection instead.
        if (response.headersSent) response.destroy(error instanceof Error ? error : new Error(String(error)));
        else respondToCrash(response, error);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    // listen() on a TCP port always yields an AddressInfo (a string only for pipes/sockets).
    const address = server.address() as AddressInfo;
    return new EmulatorHttpServer(server, `http://127.0.0.1:${address.port}`);
  }

  /** Waits `ms`, but ends early when the server closes so a stalled response never outlives it. */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const pending = {
        timer: setTimeout(() => pending.finish(), ms),
        finish: () => {
          clearTimeout(pending.timer);
          this.pendingDelays.delete(pending);
          resolve();
        },
      };
      this.pendingDelays.add(pending);
    });
  }

  async close(): Promise<void> {
    for (const pending of [...this.pendingDelays]) pending.finish();
    const closed = new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
    this.server.closeAllConnections();
    await closed;
  }
}

/** What a handler decided to answer; headers only for extras like Retry-After or a file's type. */
export interface HttpOutcome {
  status: number;
  /** JSON-serialised unless it is a Buffer (sent as is) or absent (empty body). */
  body?: unknown;
  headers?: Record<string, string>;
}

export function writeOutcome(response: ServerResponse, outcome: HttpOutcome): void {
  if (Buffer.isBuffer(outcome.body)) {
    response.writeHead(outcome.status, { 'content-length': String(outcome.body.length), ...outcome.headers });
    response.end(outcome.body);
  } else if (outcome.body === undefined) {
    response.writeHead(outcome.status, { 'content-length': '0', ...outcome.headers });
    response.end();
  } else {
    sendJson(response, outcome.status, outcome.body, outcome.headers);
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(bytes.length), ...headers });
  response.end(bytes);
}

export function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status, { 'content-length': '0' });
  response.end();
}

export function sendBytes(response: ServerResponse, bytes: Buffer, mime: string): void {
  response.writeHead(200, { 'content-type': mime, 'content-length': String(bytes.length) });
  response.end(bytes);
}

/** Path and query of a request; the host part is a placeholder because Node hands us only the path. */
export function requestUrl(request: IncomingMessage): URL {
  return new URL(request.url ?? '/', 'http://emulator.invalid');
}
