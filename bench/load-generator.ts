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
}

/** autocannon with a body per request; returns throughput and ack latency. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    duration: options.durationS,
    connections: options.connections,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    headers: { 'content-type': 'application/json', ...options.headers },
    requests: [{ setupRequest: (request: { body?: string }) => ({ ...request, body: options.nextBody() }) }],
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
