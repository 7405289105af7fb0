// The subset of autocannon's API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  interface Percentiles {
    average: number;
    p50: number;
    p99: number;
    total: number;
  }
  interface AutocannonResult {
    requests: Percentiles;
    latency: Percentiles;
    non2xx: number;
    errors: number;
  }
  interface AutocannonOptions {
    url: string;
    method?: string;
    duration?: number;
    connections?: number;
    overallRate?: number;
    headers?: Record<string, string>;
    pipelining?: number;
    requests?: {
      // `context` is autocannon's per-connection scratch object (any shape); the bench keeps the body in flight there.
      setupRequest?: (request: { body?: string }, context: { body?: string }) => { body?: string };
      onResponse?: (status: number, body: string, context: { body?: string }) => void;
    }[];
  }
  function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
  export default autocannon;
}
