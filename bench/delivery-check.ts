import type { InboundMessageRecord } from '@tgg/emulators';

export interface DeliveryCheck {
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  orderViolations: number;
}

/**
 * Loss, duplicates and per-chat order violations of what reached Genesys, against what was
 * acknowledged. With `onlyOwedChats`, records of chats without an acknowledged update are left out
 * (to judge one phase, whose chats no other phase uses).
 */
export function checkDelivery(expected: Map<string, number[]>, inbound: InboundMessageRecord[], onlyOwedChats = false): DeliveryCheck {
  const seen = new Map<string, number>();
  const lastByChat = new Map<string, number>();
  let orderViolations = 0;
  for (const record of inbound) {
    const messageId = record.body.channel.messageId;
    if (onlyOwedChats && !expected.has(messageId.split(':')[0] ?? '')) continue;
    seen.set(messageId, (seen.get(messageId) ?? 0) + 1);
    const [chatId = '', id] = messageId.split(':');
    const previous = lastByChat.get(chatId);
    if (previous !== undefined && Number(id) < previous) orderViolations += 1;
    lastByChat.set(chatId, Math.max(previous ?? 0, Number(id)));
  }
  let expectedCount = 0;
  let lost = 0;
  for (const [chatId, ids] of expected) {
    for (const id of ids) {
      expectedCount += 1;
      if (!seen.has(`${chatId}:${id}`)) lost += 1;
    }
  }
  const duplicates = [...seen.values()].reduce((sum, count) => sum + (count - 1), 0);
  return { expected: expectedCount, delivered: seen.size, lost, duplicates, orderViolations };
}
