import { createHmac, randomBytes } from 'node:crypto';
import { signMediaLink } from '@tgg/telegram';
import { BridgeHarness, HARNESS_CREDENTIALS } from '@tgg/testing';

describe('inbound media through signed, expiring links', () => {
  let bridge: BridgeHarness;

  beforeAll(async () => {
    bridge = await BridgeHarness.start({ windowMs: 0, env: { LOG_LEVEL: 'debug' } });
  }, 60_000);

  afterAll(async () => {
    await bridge.stop();
  });

  it('hands Genesys a photo and a document by link, serves the same bytes, and never leaks the bot token', async () => {
    const photoBytes = randomBytes(50_000);
    const documentBytes = randomBytes(120_000);
    bridge.telegram.addFile('photo-large', photoBytes, { filePath: 'photos/file_1.jpg', mime: 'image/jpeg' });
    bridge.telegram.addFile('doc-1', documentBytes, { filePath: 'documents/file_2.pdf', mime: 'application/pdf' });
    const chat = { id: 7_300_000_001, type: 'private', first_name: 'Ana' };
    const base = { chat, from: { id: chat.id, is_bot: false, first_name: 'Ana' }, date: 1_767_225_600 };
    await bridge.postUpdate({
      update_id: 1,
      message: {
        ...base,
        message_id: 1,
        caption: 'the damaged box',
        photo: [
          { file_id: 'photo-small', file_unique_id: 'u-s', width: 90, height: 90 },
          { file_id: 'photo-large', file_unique_id: 'u-l', width: 1280, height: 960, file_size: photoBytes.length },
        ],
      },
    });
    await bridge.postUpdate({
      update_id: 2,
      message: { ...base, message_id: 2, document: { file_id: 'doc-1', file_unique_id: 'u-d', file_name: 'invoice.pdf', mime_type: 'application/pdf', file_size: documentBytes.length } },
    });
    const [photoMessage, documentMessage] = await bridge.genesys.waitForInbound(() => true, 2, 20_000);
    const photo = photoMessage?.body.content?.[0]?.attachment;
    const document = documentMessage?.body.content?.[0]?.attachment;
    expect(photo).toMatchObject({ mediaType: 'Image', mime: 'image/jpeg' });
    expect(photoMessage?.body.text).toBe('the damaged box');
    expect(document).toMatchObject({ mediaType: 'File', mime: 'application/pdf', filename: 'invoice.pdf' });
    expect(photo?.url.startsWith(`${bridge.url('ingress')}/media/`)).toBe(true);

    const photoResponse = await fetch(photo?.url ?? '');
    expect(photoResponse.status).toBe(200);
    expect(Buffer.from(await photoResponse.arrayBuffer()).equals(photoBytes)).toBe(true);
    const documentResponse = await fetch(document?.url ?? '');
    expect(documentResponse.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await documentResponse.arrayBuffer()).equals(documentBytes)).toBe(true);

    const token = HARNESS_CREDENTIALS.botToken;
    expect(JSON.stringify(bridge.genesys.inbound)).not.toContain(token);
    expect(JSON.stringify(bridge.genesys.requests)).not.toContain(token);
    for (const service of ['ingress', 'sequencer', 'dispatcher'] as const) expect(bridge.logsOf(service)).not.toContain(token);
  }, 40_000);

  it('answers 403 to a tampered or expired link and 404 to a file Telegram does not know', async () => {
    const url = new URL(bridge.genesys.inbound[0]?.body.content?.[0]?.attachment.url ?? `${bridge.url('ingress')}/media/x?exp=1&sig=y`);
    const tamperedSig = new URL(url);
    tamperedSig.searchParams.set('sig', `${(url.searchParams.get('sig') ?? '').slice(0, -2)}AA`);
    expect((await fetch(tamperedSig)).status).toBe(403);
    const extended = new URL(url);
    extended.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 3600));
    expect((await fetch(extended)).status).toBe(403);
    const expired = new URL(url);
    expired.searchParams.set('exp', '1000');
    const expiredResponse = await fetch(expired);
    expect(expiredResponse.status).toBe(403);
    expect(((await expiredResponse.json()) as { error: string }).error).toMatch(/bad_signature|link_expired/);

    // A correctly signed link to a file Telegram does not know: 404, not a 5xx Genesys would retry.
    const signingKey = createHmac('sha256', Buffer.from(bridge.env['ENCRYPTION_KEY'] ?? '', 'hex')).update('tgg/media-links/v1').digest();
    const unknownFile = signMediaLink({ channel: 'default', fileId: 'no-such-file', expiresAtS: Math.floor(Date.now() / 1000) + 600 }, signingKey);
    const unknownResponse = await fetch(`${bridge.url('ingress')}${unknownFile}`);
    expect(unknownResponse.status).toBe(404);
  });
});
