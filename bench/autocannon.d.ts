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
    requests?: { setupRequest?: (request: { body?: string }) => { body?: string } }[];
  }
  function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
  export default autocannon;
}
