import { isSameOrigin, OpsAuth, SESSION_TTL_MS, cookieValue } from './ops-auth.js';

const token = 't'.repeat(40);
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('OpsAuth', () => {
  it('accepts the bearer token and refuses another one, a prefix of it, or none', () => {
    const auth = new OpsAuth({ token });
    expect(auth.authenticate({ authorization: `Bearer ${token}` })).toBe('token');
    for (const authorization of [`Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, 'Bearer ', 'Token abc', undefined]) {
      expect(auth.authenticate({ authorization })).toBeUndefined();
    }
    // A basic header cannot carry the token: only the configured user and password pass as basic.
    expect(auth.authenticate({ authorization: basic('x', token) })).toBeUndefined();
  });

  it('accepts basic credentials only as the configured pair', () => {
    const auth = new OpsAuth({ basic: { user: 'ops', password: 'correct horse battery' } });
    expect(auth.authenticate({ authorization: basic('ops', 'correct horse battery') })).toBe('user:ops');
    expect(auth.authenticate({ authorization: basic('ops', 'wrong') })).toBeUndefined();
    expect(auth.authenticate({ authorization: basic('other', 'correct horse battery') })).toBeUndefined();
    expect(auth.authenticate({ authorization: 'Basic !!!' })).toBeUndefined();
    expect(auth.login({ user: 'ops', password: '' })).toBeUndefined();
    expect(auth.authenticate({ authorization: `Bearer ${token}` })).toBeUndefined();
  });

  it('issues sessions that expire, cannot be altered, and die with a change of credentials', () => {
    let now = 1_000_000;
    const auth = new OpsAuth({ token }, () => now);
    const session = auth.issueSession('token');
    expect(auth.authenticate({ cookie: `a=b; tgg_ops_session=${session}` })).toBe('token');
    const [expires, actor, mac] = session.split('.');
    expect(auth.verifySession(`${expires}.${Buffer.from('user:admin').toString('base64url')}.${mac}`)).toBeUndefined();
    expect(auth.verifySession(`${Number(expires) + 1}.${actor}.${mac}`)).toBeUndefined();
    expect(new OpsAuth({ token: 'u'.repeat(40) }, () => now).verifySession(session)).toBeUndefined();
    now += SESSION_TTL_MS;
    expect(auth.verifySession(session)).toBeUndefined();
    expect(session).not.toContain(token);
  });

  it('binds CSRF tokens to the actor', () => {
    const auth = new OpsAuth({ token, basic: { user: 'ops', password: 'correct horse battery' } });
    expect(auth.checkCsrf('token', auth.csrfToken('token'))).toBe(true);
    expect(auth.checkCsrf('user:ops', auth.csrfToken('token'))).toBe(false);
    expect(auth.checkCsrf('token', undefined)).toBe(false);
  });
});

describe('isSameOrigin', () => {
  it('wants Origin (or Referer) to be this host; without either only a Bearer script passes', () => {
    expect(isSameOrigin({ origin: 'http://127.0.0.1:3003', host: '127.0.0.1:3003' })).toBe(true);
    expect(isSameOrigin({ origin: 'https://evil.example', host: '127.0.0.1:3003' })).toBe(false);
    expect(isSameOrigin({ origin: 'null', host: '127.0.0.1:3003' })).toBe(false);
    expect(isSameOrigin({ referer: 'http://127.0.0.1:3003/ops', host: '127.0.0.1:3003' })).toBe(true);
    expect(isSameOrigin({ host: '127.0.0.1:3003' })).toBe(false);
    expect(isSameOrigin({ host: '127.0.0.1:3003', authorization: 'Bearer x' })).toBe(true);
  });
});

describe('cookieValue', () => {
  it('finds one cookie among several', () => {
    expect(cookieValue('a=1; tgg_ops_session=x.y=z; b=2', 'tgg_ops_session')).toBe('x.y=z');
    expect(cookieValue(undefined, 'a')).toBeUndefined();
  });
});
