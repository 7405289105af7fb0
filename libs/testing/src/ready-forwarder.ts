import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer a backend gave through the forwarder. */
export interface ForwardedAnswer {
  backend: string;
  status: number;
  atMs: number;
}

/** How often each backend's /health/ready is asked, as a kubelet's readiness probe would (faster, for tests). */
const PROBE_INTERVAL_MS = 100;
/** How long a request waits for a ready backend before the forwarder answers 503 (the far side redelivers). */
const NO_BACKEND_WAIT_MS = 5_000;
/** Hop-by-hop and per-connection headers that are not forwarded. */
const DROPPED_HEADERS = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/**
 * Stands in for a Kubernetes Service in tests: forwards each request to one of its backends that
 * is registered (an endpoint) and whose /health/ready last answered 200, round-robin. remove() is
 * the endpoint controller dropping a terminating pod. Each request goes on a fresh connection, so a
 * refused connect (the backend stopped listening) is known not to have reached it and is safely
 * tried on the next backend; any other failure is answered 502, which a test sees.
 */
export class ReadyForwarder {
  readonly answered: ForwardedAnswer[] = [];
  private readonly backends = new Map<string, { ready: boolean }>();
  private next = 0;
  private readonly probes: NodeJS.Timeout;

  private constructor(private readonly server: Server) {
    this.probes = setInterval(() => void this.probeAll(), PROBE_INTERVAL_MS);
  }

  static async start(): Promise<ReadyForwarder> {
    let forwarder!: ReadyForwarder;
    const server = createServer((request, response) => void forwarder.forward(request, response));
    forwarder = new ReadyForwarder(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return forwarder;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Adds an endpoint; resolves once its readiness probe has passed (it then takes requests). */
  async add(backend: string): Promise<void> {
    this.backends.set(backend, { ready: false });
    for (;;) {
      await this.probe(backend);
      if (this.backends.get(backend)?.ready) return;
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  }

  remove(backend: string): void {
    this.backends.delete(backend);
  }

  /** The statuses `backend` answered, with how many of each. */
  statusesOf(backend: string): Map<number, number> {
    const counts = new Map<number, number>();
    for (const answer of this.answered.filter((entry) => entry.backend === backend)) counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
    return counts;
  }

  async close(): Promise<void> {
    clearInterval(this.probes);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async probeAll(): Promise<void> {
    await Promise.all([...this.backends.keys()].map((backend) => this.probe(backend)));
  }

  private async probe(backend: string): Promise<void> {
    let ready = false;
    try {
      const response = await fetch(`${backend}/health/ready`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      ready = response.status === 200;
    } catch {
      ready = false;
    }
    const entry = this.backends.get(backend);
    if (entry) entry.ready = ready;
  }

  private readyBackends(): string[] {
    return [...this.backends].filter(([, state]) => state.ready).map(([backend]) => backend);
  }

  private async forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !DROPPED_HEADERS.has(name)));
    const deadline = Date.now() + NO_BACKEND_WAIT_MS;
    for (;;) {
      const ready = this.readyBackends();
      const backend = ready[this.next++ % Math.max(1, ready.length)];
      if (backend !== undefined) {
        try {
          const answer = await send(backend, request.method ?? 'GET', request.url ?? '/', headers, body);
          this.answered.push({ backend, status: answer.status, atMs: Date.now() });
          response.writeHead(answer.status, answer.headers).end(answer.body);
          return;
        } catch (error) {
          if ((error as { code?: unknown }).code !== 'ECONNREFUSED') {
            response.writeHead(502, { 'content-type': 'text/plain' }).end(`forwarder: ${backend} failed: ${String(error)}`);
            return;
          }
          // Not listening any more: the request never reached it; try the next one.
          const entry = this.backends.get(backend);
          if (entry) entry.ready = false;
        }
      }
      if (Date.now() > deadline) {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('forwarder: no ready backend');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function send(backend: string, method: string, path: string, headers: Record<string, string | string[] | undefined>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${backend}${path}`, { method, headers: { ...headers, 'content-length': String(body.length) }, agent: false }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const kept: Record<string, string> = {};
        for (const [name, value] of Object.entries(incoming.headers)) if (!DROPPED_HEADERS.has(name) && typeof value === 'string') kept[name] = value;
        resolve({ status: incoming.statusCode ?? 502, headers: kept, body: Buffer.concat(chunks) });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
