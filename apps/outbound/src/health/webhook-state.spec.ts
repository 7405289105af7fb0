import { webhookStatus } from './webhook-state.js';

const EXPECTED = 'https://bridge.example.com/telegram/webhook/support';
const NOW_S = 1_800_000_000;

describe('webhookStatus', () => {
  it('is up when registered for our URL, with the pending count', () => {
    expect(webhookStatus('support', { url: EXPECTED, pending_update_count: 3 }, EXPECTED, NOW_S)).toEqual({
      dependency: 'telegram-webhook',
      channel: 'support',
      state: 'up',
      detail: '3 update(s) pending',
    });
  });

  it('is down, naming the fix, when no webhook is registered', () => {
    const status = webhookStatus('support', { url: '' }, EXPECTED, NOW_S);
    expect(status.state).toBe('down');
    expect(status.detail).toContain('npm run cli -- webhook set --channel support');
  });

  it('is down when the bot delivers to another URL', () => {
    expect(webhookStatus('support', { url: 'https://elsewhere.example.com/hook' }, EXPECTED, NOW_S).state).toBe('down');
  });

  it('is down while a recent delivery error leaves updates pending, up once they drained or the error is old', () => {
    const failing = { url: EXPECTED, pending_update_count: 12, last_error_date: NOW_S - 30, last_error_message: 'Wrong response from the webhook: 503 Service Unavailable' };
    const status = webhookStatus('support', failing, EXPECTED, NOW_S);
    expect(status.state).toBe('down');
    expect(status.detail).toContain('503 Service Unavailable');
    expect(status.detail).toContain('12 update(s) pending');
    expect(webhookStatus('support', { ...failing, pending_update_count: 0 }, EXPECTED, NOW_S).state).toBe('up');
    expect(webhookStatus('support', { ...failing, last_error_date: NOW_S - 3600 }, EXPECTED, NOW_S).state).toBe('up');
  });
});
