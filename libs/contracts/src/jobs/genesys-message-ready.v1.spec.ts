import { GenesysMessageReadyV1 } from './genesys-message-ready.v1.js';

const member = {
  chat: { id: 7000000001, type: 'private' },
  from: { id: 7000000001, is_bot: false, first_name: 'Ana' },
  date: 1_767_225_600,
  old_chat_member: { status: 'member', user: { id: 1, is_bot: true, first_name: 'bot' } },
  new_chat_member: { status: 'kicked', user: { id: 1, is_bot: true, first_name: 'bot' } },
};
const memberJob = { channel: 'default', chatId: '7000000001', updateId: 9, item: { kind: 'my_chat_member', member }, receivedAtMs: 0, trace: {} };

describe('GenesysMessageReadyV1 order key', () => {
  it('reads the previous version\'s "no turn" (orderKey \'\', still in Redis queues) as null', () => {
    expect(GenesysMessageReadyV1.parse({ ...memberJob, orderKey: '' }).orderKey).toBeNull();
  });

  it('keeps null as "no turn" and an order key as itself', () => {
    expect(GenesysMessageReadyV1.parse({ ...memberJob, orderKey: null }).orderKey).toBeNull();
    expect(GenesysMessageReadyV1.parse({ ...memberJob, orderKey: '0000000005:1767225660:0:0000000000' }).orderKey).toBe('0000000005:1767225660:0:0000000000');
  });

  it('refuses a job without one (absent is not "no turn")', () => {
    expect(GenesysMessageReadyV1.safeParse(memberJob).success).toBe(false);
  });
});
