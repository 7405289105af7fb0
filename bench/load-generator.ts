import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerS: number;
  ackP50Ms: number;
  ackP99Ms: number;
  non2xx: number;
  errors: number;
  sent: number;
}

export interface LoadOptions {
  url: string;
  durationS: number;
  connections: number;
  /** Offered load in requests/s across all connections; undefined = as fast as possible (saturation). */
  overallRate?: number;
  headers: Record<string, string>;
  /** A fresh body per request (unique update ids, so the bridge never sees a replay). */
  nextBody: () => string;
  /** Called with the body of each request answered 2xx: only those count as delivered-to-be. */
  onAcked?: (body: string) => void;
}

/** Per-connection state autocannon hands to both hooks: the body of the one request in flight. */
interface ConnectionContext {
  body?: string;
}

/**
 * autocannon with a body per request; returns throughput and ack latency. Without pipelining a
 * connection has one request in flight, so the body stored in its context at setup is the one its
 * next response answers.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    duration: options.durationS,
    connections: options.connections,
    pipelining: 1,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    headers: { 'content-type': 'application/json', ...options.headers },
    requests: [
      {
        setupRequest: (request: { body?: string }, context: ConnectionContext) => {
          context.body = options.nextBody();
          return { ...request, body: context.body };
        },
        onResponse: (status: number, _body: string, context: ConnectionContext) => {
          if (status >= 200 && status < 300 && context.body !== undefined) options.onAcked?.(context.body);
        },
      },
    ],
  });
  return {
    requestsPerS: Math.round(result.requests.average),
    ackP50Ms: result.latency.p50,
    ackP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    sent: result.requests.total,
  };
}
