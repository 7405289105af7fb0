import { BridgeHarness, aTextUpdate, eventually } from '@tgg/testing';
import type { InboundMessageRecord } from '@tgg/emulators';

const GENESYS_STALL_MS = 300;

function countByMessageId(inbound: InboundMessageRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of inbound) counts.set(record.body.channel.messageId, (counts.get(record.body.channel.messageId) ?? 0) + 1);
  return counts;
}

function orderByChat(inbound: InboundMessageRecord[]): Map<string, number[]> {
  const byChat = new Map<string, number[]>();
  for (const record of inbound) {
    const [chatId = '', messageId] = record.body.channel.messageId.split(':');
    const seen = byChat.get(chatId) ?? [];
    if (!seen.includes(Number(messageId))) seen.push(Number(messageId)); // order of first arrival
    byChat.set(chatId, seen);
  }
  return byChat;
}

describe('crash recovery: kill -9 of the sequencer and of the dispatcher with messages in flight', () => {
  let bridge: BridgeHarness;

  beforeAll(async () => {
    bridge = await BridgeHarness.start({ windowMs: 300 });
  }, 60_000);

  afterAll(async () => {
    await bridge.stop();
  });

  it('delivers every acknowledged message after restarts, in order, duplicating only requests Genesys had in flight', async () => {
    const chats = Array.from({ length: 8 }, (_, index) => 9_100_000_001 + index);
    const messagesPerChat = 12;
    let updateId = 1;
    const post = async (messageId: number) => {
      const statuses = await Promise.all(chats.map((chatId) => bridge.postUpdate(aTextUpdate({ updateId: updateId++ * 100 + (chatId % 100), chatId, messageId })).then((r) => r.status)));
      expect(statuses.every((status) => status === 200)).toBe(true);
    };
    // Every Genesys answer is slow, so the dispatcher always has requests in flight.
    bridge.genesys.stall('message', GENESYS_STALL_MS, 10_000);

    for (let messageId = 1; messageId <= 4; messageId++) await post(messageId);
    await bridge.kill('sequencer'); // with messages held in its reorder buffers and jobs active
    for (let messageId = 5; messageId <= 8; messageId++) await post(messageId); // ingress keeps accepting
    await bridge.startService('sequencer');

    await bridge.genesys.waitForInbound(() => true, 20, 30_000);
    const killedAtMs = Date.now();
    await bridge.kill('dispatcher');
    // Requests Genesys received but had not answered when the dispatcher died: a retry cannot know they arrived.
    const inFlightAtKill = new Set(bridge.genesys.inbound.filter((record) => record.atMs > killedAtMs - GENESYS_STALL_MS - 50).map((record) => record.body.channel.messageId));
    for (let messageId = 9; messageId <= messagesPerChat; messageId++) await post(messageId);
    await bridge.startService('dispatcher');

    const total = chats.length * messagesPerChat;
    // Duplicates count as records too, so wait for distinct message ids rather than a record count.
    await eventually(() => expect(countByMessageId(bridge.genesys.inbound).size).toBe(total), 60_000, 200).catch(() => undefined);
    const counts = countByMessageId(bridge.genesys.inbound);
    const missing = chats.flatMap((chatId) => Array.from({ length: messagesPerChat }, (_, i) => `${chatId}:${i + 1}`)).filter((messageId) => !counts.has(messageId));
    expect(missing).toEqual([]); // nothing lost
    const duplicated = [...counts].filter(([, count]) => count > 1).map(([messageId]) => messageId);
    expect(duplicated.filter((messageId) => !inFlightAtKill.has(messageId))).toEqual([]);
    expect(duplicated.length).toBeLessThanOrEqual(inFlightAtKill.size);
    const expectedOrder = Array.from({ length: messagesPerChat }, (_, i) => i + 1);
    for (const chatId of chats) expect(orderByChat(bridge.genesys.inbound).get(String(chatId))).toEqual(expectedOrder);
    console.log(`crash recovery: ${total} messages delivered; ${inFlightAtKill.size} Genesys requests in flight at the dispatcher kill, ${duplicated.length} of them re-sent`);
  }, 150_000);
});
