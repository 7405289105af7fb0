import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One exported span, flattened: the resource's service.name next to the span's own fields. */
export interface ReceivedSpan {
  service: string;
  scope: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, string | number | boolean | undefined>;
}

/** OTLP/JSON as @opentelemetry/exporter-trace-otlp-http sends it (hex ids, nanosecond times as strings or numbers). */
interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
}
interface OtlpTraceRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[];
  }[];
}

/**
 * A local OTLP/HTTP trace endpoint (POST /v1/traces, JSON) that keeps every span it receives, so a
 * test can assert on what the real services exported. Anything else than JSON is answered 415 and
 * counted, so a switch of the exporter's protocol fails loudly instead of looking like "no spans".
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Raw request bodies, for asserting that a secret appears nowhere in what left the process. */
  readonly rawBodies: string[] = [];
  unsupportedRequests = 0;
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((request, response) => {
      void receiver?.handle(request).then(
        (status) => response.writeHead(status, { 'content-type': 'application/json' }).end('{}'),
        () => response.writeHead(400).end(),
      );
    });
    receiver = new OtlpReceiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo; // listening on TCP, so never a pipe name
    return `http://127.0.0.1:${port}`;
  }

  /** Resolves with the spans that satisfy `predicate` once it returns a non-empty list (checked on each arrival). */
  async waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 15_000): Promise<ReceivedSpan[]> {
    if (predicate(this.spans)) return this.spans;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`spans not complete within ${timeoutMs} ms; received: ${this.spans.map((span) => `${span.service}/${span.name}`).join(', ')}`));
      }, timeoutMs);
      const check = () => {
        if (!predicate(this.spans)) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(this.spans);
      };
      this.listeners.add(check);
    });
  }

  /**
   * Where `needle` occurs in what was exported: `service span-name attribute` per span attribute,
   * or one entry for the rest of a request (resource, events, status) — empty when nowhere.
   */
  whereContains(needle: string): string[] {
    const inAttributes = this.spans.flatMap((span) =>
      Object.entries(span.attributes)
        .filter(([, value]) => String(value).includes(needle))
        .map(([key]) => `${span.service} ${span.name} ${key}`),
    );
    if (inAttributes.length) return inAttributes;
    return this.rawBodies.some((body) => body.includes(needle)) ? ['an export request outside span attributes (resource, events or status)'] : [];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer); // http request streams yield Buffers
    if (request.method !== 'POST' || request.url !== '/v1/traces') return 404;
    if (!request.headers['content-type']?.startsWith('application/json')) {
      this.unsupportedRequests += 1;
      return 415;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    this.rawBodies.push(body);
    this.spans.push(...flatten(JSON.parse(body) as OtlpTraceRequest)); // the exporter's documented JSON shape
    for (const listener of [...this.listeners]) listener();
    return 200;
  }
}

function flatten(request: OtlpTraceRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    const service = String(resource['service.name'] ?? 'unknown');
    return (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) =>
      (scopeSpans.spans ?? []).map((span) => ({
        service,
        scope: scopeSpans.scope?.name ?? '',
        name: span.name,
        kind: span.kind ?? 0,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        startNs: BigInt(span.startTimeUnixNano),
        endNs: BigInt(span.endTimeUnixNano),
        attributes: attributesOf(span.attributes),
      })),
    );
  });
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, string | number | boolean | undefined> {
  return Object.fromEntries(
    (list ?? []).map(({ key, value }) => {
      if (value?.intValue !== undefined) return [key, Number(value.intValue)];
      return [key, value?.stringValue ?? value?.doubleValue ?? value?.boolValue];
    }),
  );
}
