import { randomBytes } from 'node:crypto';
import { BridgeHarness, HARNESS_CREDENTIALS, OtlpReceiver, SpanTree, aTextUpdate, type BridgeServiceName, type ReceivedSpan } from '@tgg/testing';

const SPAN_KIND_CLIENT = 3;
const SERVICES: BridgeServiceName[] = ['ingress', 'sequencer', 'dispatcher', 'outbound'];

/** Every value the harness configures that must never leave a process, in spans or anywhere else. */
function secretsOf(bridge: BridgeHarness): string[] {
  return [
    HARNESS_CREDENTIALS.botToken,
    HARNESS_CREDENTIALS.webhookSecret,
    HARNESS_CREDENTIALS.clientSecret,
    HARNESS_CREDENTIALS.genesysWebhookSecret,
    bridge.env['ENCRYPTION_KEY'] ?? 'ENCRYPTION_KEY missing from the harness env',
  ];
}

describe('tracing: one OpenTelemetry trace per message, exported by the real services (SPEC §8)', () => {
  let receiver: OtlpReceiver;
  let bridge: BridgeHarness;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    bridge = await BridgeHarness.start({
      services: SERVICES,
      windowMs: 50,
      // A short batch delay so spans arrive while the test waits, not at shutdown.
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100', LOG_LEVEL: 'debug' },
    });
  }, 45_000);

  afterAll(async () => {
    await bridge?.stop();
    await receiver?.close();
  });

  it('follows a message webhook → ingress → sequencer → dispatcher → Genesys in one trace', async () => {
    const text = `trace me ${randomBytes(6).toString('hex')}`;
    const arrival = bridge.genesys.waitForInbound((record) => record.body.text === text, 1, 20_000);
    const response = await bridge.postUpdate(aTextUpdate({ updateId: 101, chatId: 4_242_001, messageId: 1, text }));
    expect(response.status).toBe(200);
    await arrival;

    const isDeliver = (span: ReceivedSpan) => span.service === 'tgg-dispatcher' && span.name === 'dispatcher.deliver' && span.attributes['tgg.update_id'] === 101;
    // Complete once the dispatcher span (it ends last) and the ingress root of its trace both arrived.
    const all = await receiver.waitFor((spans) => {
      const deliver = spans.find(isDeliver);
      return !!deliver && SpanTree.of(spans, deliver.traceId).roots.some((root) => root.service === 'tgg-ingress' && !root.parentSpanId);
    });
    const deliver = all.find(isDeliver);
    if (!deliver) throw new Error('unreachable: waitFor returned without the dispatcher span');
    const tree = SpanTree.of(all, deliver.traceId);
    console.log(`captured trace ${deliver.traceId}:\n${tree.render()}`);

    // One trace, one root: the ingress HTTP server span of the webhook POST.
    expect(tree.roots.map((root) => [root.service, root.name, root.parentSpanId])).toEqual([['tgg-ingress', 'POST /telegram/webhook/:channel', undefined]]);
    const buffer = tree.spans.find((span) => span.service === 'tgg-sequencer' && span.name === 'sequencer.buffer');
    expect(buffer?.attributes['tgg.update_id']).toBe(101);

    // The Genesys POST hangs under the dispatcher span, which hangs under the sequencer's, under the ingress request.
    const genesysPost = tree
      .descendantsOf(deliver)
      .find((span) => span.kind === SPAN_KIND_CLIENT && span.attributes['http.request.method'] === 'POST' && String(span.attributes['url.path']).endsWith('/inbound/open/message'));
    expect(genesysPost).toBeDefined();
    if (!genesysPost || !buffer) return;
    expect(tree.servicePathOf(genesysPost)).toEqual(['tgg-dispatcher', 'tgg-sequencer', 'tgg-ingress']);
    expect(tree.ancestorsOf(deliver)).toContain(buffer);
    expect(genesysPost.attributes['http.response.status_code']).toBe(200);

    const processingTimeMs = deliver.attributes['processing_time_ms'];
    expect(typeof processingTimeMs).toBe('number');
    expect(Number(processingTimeMs)).toBeGreaterThanOrEqual(0);

    // A log line written inside the span names its trace (logger.ts mixin), so logs lead to traces.
    const deliveredLines = bridge
      .logsOf('dispatcher')
      .split('\n')
      .filter((line) => line.includes('delivered to Genesys') && line.includes('"updateId":101'));
    expect(deliveredLines.map((line) => (JSON.parse(line) as { trace_id?: string }).trace_id)).toEqual([deliver.traceId]);

    // The processing_time bucket this message fell into names its trace (an exemplar), so Grafana opens it in Tempo.
    const scrape = await fetch(`${bridge.url('dispatcher')}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    expect(scrape.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    const exemplarBuckets = (await scrape.text())
      .split('\n')
      .filter((line) => line.startsWith('processing_time_seconds_bucket{') && line.includes('direction="inbound"') && line.includes(`# {trace_id="${deliver.traceId}"}`));
    expect(exemplarBuckets).not.toEqual([]);

    // pg and ioredis are CommonJS packages imported from ES modules: their spans prove the patching works (ADR 0004).
    const scopesUnder = (span: ReceivedSpan) => new Set(tree.descendantsOf(span).map((child) => child.scope));
    expect([...scopesUnder(deliver)]).toEqual(expect.arrayContaining(['@opentelemetry/instrumentation-pg', '@opentelemetry/instrumentation-ioredis', '@opentelemetry/instrumentation-undici']));
    expect([...scopesUnder(buffer)]).toContain('@opentelemetry/instrumentation-ioredis');

    // Exported spans carry identifiers, not the customer's text (BullMQ's EVALSHA arguments hold the whole job).
    expect(receiver.whereContains(text)).toEqual([]);
    // Health probes and scrapes are not traced (the harness polled /health/ready while starting).
    expect(all.filter((span) => String(span.attributes['url.path'] ?? span.name).includes('/health'))).toEqual([]);
    for (const secret of secretsOf(bridge)) expect({ secret, foundIn: receiver.whereContains(secret) }).toEqual({ secret, foundIn: [] });
  }, 40_000);

  it('exports the Bot API calls behind a media link with the bot token redacted from their URLs', async () => {
    const bytes = randomBytes(4096);
    bridge.telegram.addFile('trace-photo', bytes, { filePath: 'photos/trace.jpg', mime: 'image/jpeg' });
    const chat = { id: 4_242_002, type: 'private', first_name: 'Ana' };
    const arrival = bridge.genesys.waitForInbound((record) => record.body.channel.messageId === `${chat.id}:7`, 1, 20_000);
    await bridge.postUpdate({
      update_id: 102,
      message: { message_id: 7, chat, from: { id: chat.id, is_bot: false, first_name: 'Ana' }, date: 1_767_225_600, photo: [{ file_id: 'trace-photo', file_unique_id: 'u-t', width: 64, height: 64, file_size: bytes.length }] },
    });
    const [message] = await arrival;
    const link = message?.body.content?.[0]?.attachment.url;
    if (!link) throw new Error('the Genesys message carries no media link');
    const download = await fetch(link); // what Genesys does with the link
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

    const telegramCalls = (spans: ReceivedSpan[]) => spans.filter((span) => span.service === 'tgg-ingress' && span.kind === SPAN_KIND_CLIENT && String(span.attributes['url.full']).startsWith(bridge.telegram.baseUrl));
    const calls = telegramCalls(await receiver.waitFor((spans) => telegramCalls(spans).length >= 2));
    expect(calls.map((span) => span.attributes['url.full']).sort()).toEqual([
      `${bridge.telegram.baseUrl}/bot<redacted>/getFile`,
      `${bridge.telegram.baseUrl}/file/bot<redacted>/photos/trace.jpg`,
    ]);
    for (const secret of secretsOf(bridge)) expect({ secret, foundIn: receiver.whereContains(secret) }).toEqual({ secret, foundIn: [] });
  }, 40_000);

  it('follows an agent reply Genesys webhook → outbound → Telegram in one trace, token redacted', async () => {
    const text = `reply ${randomBytes(6).toString('hex')}`;
    // The customer of the first test wrote, so the conversation exists and the reply may go out.
    const sent = await bridge.genesys.sendAgentMessage(HARNESS_CREDENTIALS.integrationId, { toId: '4242001', text });
    expect(sent.status).toBe(200);
    await bridge.telegram.waitForCall((call) => call.method === 'sendMessage' && call.params['text'] === text, 20_000);

    const isSendCall = (span: ReceivedSpan) => span.service === 'tgg-outbound' && span.kind === SPAN_KIND_CLIENT && String(span.attributes['url.path']).endsWith('/sendMessage');
    const all = await receiver.waitFor((spans) => {
      const send = spans.find((span) => span.name === 'outbound.send' && span.attributes['tgg.genesys_message_id'] === sent.id);
      return !!send && SpanTree.of(spans, send.traceId).spans.some(isSendCall) && SpanTree.of(spans, send.traceId).roots.some((root) => !root.parentSpanId);
    });
    const send = all.find((span) => span.name === 'outbound.send' && span.attributes['tgg.genesys_message_id'] === sent.id);
    if (!send) throw new Error('unreachable: waitFor returned without the outbound.send span');
    const tree = SpanTree.of(all, send.traceId);
    console.log(`captured reply trace ${send.traceId}:\n${tree.render()}`);

    expect(tree.roots.map((root) => [root.service, root.name])).toEqual([['tgg-outbound', 'POST /genesys/webhook/:channel']]);
    const telegramCall = tree.descendantsOf(send).find(isSendCall);
    expect(telegramCall?.attributes['url.path']).toBe('/bot<redacted>/sendMessage');
    expect(Number(send.attributes['processing_time_ms'])).toBeGreaterThanOrEqual(0);
    expect(receiver.whereContains(text)).toEqual([]);
    for (const secret of secretsOf(bridge)) expect({ secret, foundIn: receiver.whereContains(secret) }).toEqual({ secret, foundIn: [] });
  }, 40_000);
});
