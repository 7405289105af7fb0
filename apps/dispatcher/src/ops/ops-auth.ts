import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { OpsConsoleConfig } from '@tgg/config';

/**
 * Who may use /ops: OPS_CONSOLE_TOKEN (as `Authorization: Bearer`, or typed once into the login
 * form, which sets a signed session cookie) and/or OPS_CONSOLE_USER + OPS_CONSOLE_PASSWORD (HTTP
 * basic, or the form). Every comparison is constant-time; the token is never accepted in a URL.
 * Sessions and CSRF tokens are HMACs under a key derived from the configured credentials, so
 * changing them ends every session.
 */

export const SESSION_COOKIE = 'tgg_ops_session';
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/** Who acted, as the audit log names them: `token`, or `user:<name>`. Never a secret. */
export type OpsActor = string;

export interface LoginFields {
  token?: string;
  user?: string;
  password?: string;
}

export class OpsAuth {
  private readonly key: Buffer;

  constructor(
    private readonly config: OpsConsoleConfig,
    private readonly now: () => number = Date.now,
  ) {
    const material = JSON.stringify([config.token ?? '', config.basic?.user ?? '', config.basic?.password ?? '']);
    this.key = createHmac('sha256', 'tgg/ops-console/v1').update(material).digest();
  }

  get acceptsToken(): boolean {
    return this.config.token !== undefined;
  }

  get acceptsBasic(): boolean {
    return this.config.basic !== undefined;
  }

  /** The actor behind a request's Authorization header or session cookie; undefined when neither is valid. */
  authenticate(headers: { authorization?: string | undefined; cookie?: string | undefined }): OpsActor | undefined {
    const authorization = headers.authorization?.trim();
    if (authorization) {
      const [scheme = '', credentials = ''] = authorization.split(/\s+/, 2);
      if (scheme.toLowerCase() === 'bearer') return this.login({ token: credentials });
      if (scheme.toLowerCase() === 'basic') return this.login(decodeBasic(credentials));
      return undefined;
    }
    const session = cookieValue(headers.cookie, SESSION_COOKIE);
    return session === undefined ? undefined : this.verifySession(session);
  }

  /** Checks what the login form (or a header) gave; every configured check runs, so timing does not tell which failed. */
  login(fields: LoginFields): OpsActor | undefined {
    const tokenOk = this.config.token !== undefined && fields.token !== undefined && fields.token !== '' && safeEqual(fields.token, this.config.token);
    const basic = this.config.basic;
    const userOk = basic !== undefined && safeEqual(fields.user ?? '', basic.user);
    const passwordOk = basic !== undefined && safeEqual(fields.password ?? '', basic.password);
    if (tokenOk) return 'token';
    if (basic && userOk && passwordOk && fields.password) return `user:${basic.user}`;
    return undefined;
  }

  /** `<expiresAtMs>.<actor, base64url>.<mac>`: stateless, so every replica accepts it. */
  issueSession(actor: OpsActor): string {
    const body = `${this.now() + SESSION_TTL_MS}.${Buffer.from(actor).toString('base64url')}`;
    return `${body}.${this.mac(`session:${body}`)}`;
  }

  verifySession(value: string): OpsActor | undefined {
    const match = /^(\d{1,15})\.([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (!match) return undefined;
    const [, expiresAt = '', actor = '', mac = ''] = match;
    if (!safeEqual(mac, this.mac(`session:${expiresAt}.${actor}`))) return undefined;
    if (Number(expiresAt) <= this.now()) return undefined;
    return Buffer.from(actor, 'base64url').toString();
  }

  /** The CSRF token of an actor's forms (a second line behind the same-origin check and SameSite=Strict). */
  csrfToken(actor: OpsActor): string {
    return this.mac(`csrf:${actor}`);
  }

  checkCsrf(actor: OpsActor, token: string | undefined): boolean {
    return token !== undefined && safeEqual(token, this.csrfToken(actor));
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes before comparing. */
export function safeEqual(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function decodeBasic(credentials: string): LoginFields {
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? {} : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/**
 * Same-origin check for a state-changing request: its Origin (or, without one, its Referer) must
 * be this host. Browsers send Origin on every cross-site POST, so a forged form from elsewhere
 * fails here; a script with a Bearer token sends neither and is not a browser being tricked.
 */
export function isSameOrigin(headers: { origin?: string | undefined; referer?: string | undefined; host?: string | undefined; authorization?: string | undefined }): boolean {
  const source = headers.origin ?? headers.referer;
  if (source === undefined) return /^bearer\s/i.test(headers.authorization ?? '');
  try {
    return headers.host !== undefined && new URL(source).host === headers.host;
  } catch {
    return false;
  }
}
