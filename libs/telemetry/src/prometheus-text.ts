/**
 * The registry renders OpenMetrics (the only format that carries exemplars, which link a slow
 * processing_time bucket to its trace). Prometheus scrapes ask for it; every other client of
 * `GET /metrics` (SPEC §4: Prometheus text) gets the classic text format, rewritten from it:
 * counter families regain their `_total` name in HELP/TYPE, exemplars and `# EOF` are dropped.
 */
export function openMetricsToPrometheusText(openMetrics: string): string {
  const lines = openMetrics.split('\n');
  const counters = new Set(lines.flatMap((line) => /^# TYPE (\S+) counter$/.exec(line)?.[1] ?? []));
  return lines
    .filter((line) => line !== '# EOF')
    .map((line) => {
      const meta = /^# (HELP|TYPE) (\S+)( .*)?$/.exec(line);
      if (meta) return counters.has(meta[2] ?? '') ? `# ${meta[1]} ${meta[2]}_total${meta[3] ?? ''}` : line;
      if (line.startsWith('#')) return line;
      const exemplarAt = line.indexOf(' # {');
      return exemplarAt === -1 ? line : line.slice(0, exemplarAt);
    })
    .join('\n');
}

/** True when a scrape's Accept header asks for OpenMetrics (Prometheus does, with exemplar storage on). */
export function acceptsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}
