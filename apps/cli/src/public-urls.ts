import { CliError } from './cli-error.js';

/**
 * The URLs Telegram and Genesys are told to call, derived from PUBLIC_BASE_URL. Checked here
 * because the far side's own refusal comes late and vaguely (Telegram: "bad webhook: …"), or not
 * at all (a path mistake silently sends every update to a 404).
 */

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
// setWebhook refuses any other port (https://core.telegram.org/bots/api#setwebhook: ports 443, 80, 88, 8443).
const TELEGRAM_PORTS = new Set(['', '443', '80', '88', '8443']);
const WEBHOOK_PATH = /\/(?:telegram\/webhook|genesys\/webhook|media)(?:\/|$)/;

interface PublicBase {
  url: URL;
  /** A path prefix a reverse proxy strips (may be ''), without a trailing slash. */
  prefix: string;
  isLocal: boolean;
}

export function telegramWebhookUrl(publicBaseUrl: string, channel: string): string {
  const base = parseBase(publicBaseUrl, 'PUBLIC_BASE_URL');
  if (base.url.protocol === 'https:') {
    if (!TELEGRAM_PORTS.has(base.url.port)) {
      throw new CliError(`PUBLIC_BASE_URL uses port ${base.url.port}, but Telegram delivers webhooks only to ports 443, 80, 88 or 8443: put a reverse proxy on one of them`);
    }
  } else if (!base.isLocal) {
    throw new CliError('PUBLIC_BASE_URL must start with https:// — Telegram delivers webhooks only over HTTPS (plain http is accepted for localhost/127.0.0.1, i.e. the emulators)');
  }
  return `${base.url.origin}${base.prefix}/telegram/webhook/${encodeURIComponent(channel)}`;
}

/**
 * Genesys posts agent replies to outbound, not ingress. Behind the public proxy both share the
 * PUBLIC_BASE_URL host (deploy/k8s/base/public-ingress.yaml routes /genesys/webhook to outbound);
 * on localhost there is no proxy, so the URL points at OUTBOUND_PORT directly.
 */
export function genesysOutboundUrl(publicBaseUrl: string, outboundPort: number, channel: string): string {
  const base = parseBase(publicBaseUrl, 'PUBLIC_BASE_URL');
  const path = `/genesys/webhook/${encodeURIComponent(channel)}`;
  if (base.isLocal) return `${base.url.protocol}//${base.url.hostname}:${outboundPort}${path}`;
  if (base.url.protocol !== 'https:') {
    throw new CliError('PUBLIC_BASE_URL must start with https:// — Genesys Cloud posts agent replies only to HTTPS webhooks (or pass --outbound-url)');
  }
  return `${base.url.origin}${base.prefix}${path}`;
}

/** An operator-given `--outbound-url`: a full webhook URL, HTTPS unless local. */
export function checkOutboundUrl(text: string): string {
  const url = parseUrl(text, '--outbound-url');
  if (url.username || url.password) throw new CliError('--outbound-url must not contain user:password@; Genesys signs each request instead');
  if (url.hash) throw new CliError('--outbound-url must not contain a #fragment');
  if (url.protocol !== 'https:' && !LOCAL_HOSTS.has(url.hostname)) throw new CliError('--outbound-url must start with https:// (http only for localhost)');
  return url.toString();
}

function parseBase(text: string, name: string): PublicBase {
  const url = parseUrl(text, name);
  if (url.username || url.password) {
    throw new CliError(`${name} must not contain user:password@ (Telegram would send it as Basic auth; the webhook secret header authenticates instead)`);
  }
  if (url.search || url.hash) throw new CliError(`${name} must be a base URL without ?query or #fragment`);
  const prefix = url.pathname.replace(/\/+$/, '');
  if (prefix.includes('//')) throw new CliError(`${name} has an empty path segment ("//") in ${url.pathname}`);
  if (WEBHOOK_PATH.test(prefix)) {
    throw new CliError(`${name} must be the bridge's base URL (e.g. https://bridge.example.com), not a webhook URL: remove "${url.pathname}"`);
  }
  return { url, prefix, isLocal: LOCAL_HOSTS.has(url.hostname) };
}

function parseUrl(text: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`${name} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CliError(`${name} must be an http(s) URL`);
  return url;
}
