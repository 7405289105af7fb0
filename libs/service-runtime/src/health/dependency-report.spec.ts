import { toReport } from './dependency-monitor.js';
import { safeDetail } from './dependency-source.js';

describe('safeDetail', () => {
  it('keeps the first line and drops credentials in connection URLs and Bot API paths', () => {
    const error = new Error('connect failed for postgresql://bridge:s3cret@db.internal:5432/tgg\n    at Socket.emit');
    expect(safeDetail(error)).toBe('connect failed for postgresql://***@db.internal:5432/tgg');
    expect(safeDetail('GET https://api.telegram.org/bot123:AAE-token/getMe failed')).toBe('GET https://api.telegram.org/bot<redacted>/getMe failed');
  });

  it('bounds the length', () => {
    expect(safeDetail('x'.repeat(1000))).toHaveLength(200);
  });
});

describe('toReport', () => {
  it('groups per-channel statuses under their channel and is degraded when anything is down', () => {
    const report = toReport(
      [
        { dependency: 'postgres', state: 'up' },
        { dependency: 'genesys-token', state: 'unknown', detail: 'not fetched yet' },
        { dependency: 'telegram-getme', channel: 'support', state: 'down', detail: 'Telegram getMe: 401 Unauthorized' },
        { dependency: 'telegram-getme', channel: 'sales', state: 'up' },
      ],
      Date.UTC(2026, 0, 2, 3, 4, 5),
    );
    expect(report).toEqual({
      status: 'degraded',
      checkedAt: '2026-01-02T03:04:05.000Z',
      dependencies: { postgres: { status: 'up' }, 'genesys-token': { status: 'unknown', detail: 'not fetched yet' } },
      channels: { support: { 'telegram-getme': { status: 'down', detail: 'Telegram getMe: 401 Unauthorized' } }, sales: { 'telegram-getme': { status: 'up' } } },
    });
  });

  it('is ok when nothing is down (unknown is not down)', () => {
    expect(toReport([{ dependency: 'redis', state: 'up' }, { dependency: 'genesys-token', state: 'unknown' }], 0).status).toBe('ok');
  });
});
