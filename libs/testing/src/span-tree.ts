import type { ReceivedSpan } from './otlp-receiver.js';

/** The spans of one trace, indexed for walking parent links. */
export class SpanTree {
  private readonly byId: Map<string, ReceivedSpan>;

  constructor(readonly spans: readonly ReceivedSpan[]) {
    this.byId = new Map(spans.map((span) => [span.spanId, span]));
  }

  static of(all: readonly ReceivedSpan[], traceId: string): SpanTree {
    return new SpanTree(all.filter((span) => span.traceId === traceId));
  }

  get roots(): ReceivedSpan[] {
    return this.spans.filter((span) => !span.parentSpanId || !this.byId.has(span.parentSpanId));
  }

  /** Parent, grandparent, … up to the root (or to a parent this trace did not receive). */
  ancestorsOf(span: ReceivedSpan): ReceivedSpan[] {
    const chain: ReceivedSpan[] = [];
    for (let parent = this.parentOf(span); parent; parent = this.parentOf(parent)) chain.push(parent);
    return chain;
  }

  descendantsOf(span: ReceivedSpan): ReceivedSpan[] {
    const children = this.spans.filter((candidate) => candidate.parentSpanId === span.spanId);
    return children.flatMap((child) => [child, ...this.descendantsOf(child)]);
  }

  /** Services from `span` up to the root, repeats folded: ['tgg-dispatcher', 'tgg-sequencer', 'tgg-ingress']. */
  servicePathOf(span: ReceivedSpan): string[] {
    const services = [span, ...this.ancestorsOf(span)].map((entry) => entry.service);
    return services.filter((service, index) => service !== services[index - 1]);
  }

  /** One line per span, indented by depth: `service  name  duration`. */
  render(): string {
    const lines: string[] = [];
    const visit = (span: ReceivedSpan, depth: number) => {
      const durationMs = Number(span.endNs - span.startNs) / 1e6;
      lines.push(`${'  '.repeat(depth)}${span.service.padEnd(15)} ${span.name}  (${durationMs.toFixed(1)} ms)`);
      const children = this.spans.filter((candidate) => candidate.parentSpanId === span.spanId).sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
      for (const child of children) visit(child, depth + 1);
    };
    for (const root of this.roots) visit(root, 0);
    return lines.join('\n');
  }

  private parentOf(span: ReceivedSpan): ReceivedSpan | undefined {
    return span.parentSpanId ? this.byId.get(span.parentSpanId) : undefined;
  }
}
