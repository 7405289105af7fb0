import { confirmPage, escapeHtml, loginPage, overviewPage } from './ops-pages.js';

describe('ops pages', () => {
  it('escapes every character that could open markup or an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  });

  it('renders values from Redis, Postgres and peers escaped, with no script anywhere', () => {
    const hostile = '"><script>alert(1)</script>';
    const html = overviewPage({
      actor: `user:${hostile}`,
      csrf: hostile,
      nowMs: 10_000,
      health: [{ title: hostile, lines: [{ level: 'fail', text: hostile, fix: hostile }] }],
      held: [{ pipeline: 'inbound', chats: [{ chatRef: hostile as never, inReorderWindow: 1, waiting: 0, incoming: 0, nextLookMs: 0 }] }],
      blocked: [{ channel: hostile, chatId: hostile, blockedAt: null }],
      deadLetters: { total: 1, letters: [{ queue: 'genesys-inbound', id: hostile, name: 'x', attemptsMade: 1, maxAttempts: 1, queuedAtMs: 0, reason: hostile, channel: hostile, chatId: '1' }] },
    });
    expect(html).not.toContain('<script');
    // Inside an attribute as well as in text, the value stays one value.
    expect(html).toContain('value="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;"');
    expect(confirmPage({ action: 'purge', queue: hostile, job: hostile }, { letters: [], total: 0 }, hostile, 0)).not.toContain('<script');
  });

  it('offers only the sign-in fields that are configured', () => {
    expect(loginPage({ token: true, basic: false })).toContain('name="token"');
    expect(loginPage({ token: true, basic: false })).not.toContain('name="password"');
    expect(loginPage({ token: false, basic: true })).toContain('name="password"');
  });
});
