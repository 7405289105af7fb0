import { PermanentError, RetryableError } from '@tgg/contracts';
import { retryAfterMs, type GenesysTokenCache } from '@tgg/genesys';

export type AttachmentDownload = { kind: 'file'; bytes: Buffer; mime: string | undefined } | { kind: 'too-large'; sizeBytes: number };

export interface AttachmentDownloaderOptions {
  apiBaseUrl: string;
  /** Absent when no Genesys OAuth client is configured: downloads are then anonymous only. */
  tokens: GenesysTokenCache | undefined;
  /** Files above this are not read further (Telegram would refuse them anyway). */
  maxBytes: number;
  timeoutMs?: number;
  onRequest?: (status: number | 'error', durationS: number) => void;
}

/**
 * Fetches an agent attachment from its Genesys URL (api-downloads.<region>/api/v2/downloads/…).
 * Whether that URL needs a token is undocumented (https://developer.genesys.cloud/commdigital/digital/openmessaging/outboundMessages), so: an anonymous GET first, and
 * on 401/403 again with the bearer token — but only to a Genesys host, so an attachment URL can
 * never make us hand our token to someone else. Read into memory with a cap, because the exact
 * size decides the Telegram method (photo ≤ 10 MB) and a file over the limit is not worth reading.
 */
export class GenesysAttachmentDownloader {
  constructor(private readonly options: AttachmentDownloaderOptions) {}

  async download(url: string, declaredSizeBytes: number | undefined): Promise<AttachmentDownload> {
    if (declaredSizeBytes !== undefined && declaredSizeBytes > this.options.maxBytes) return { kind: 'too-large', sizeBytes: declaredSizeBytes };
    const target = parseHttpUrl(url);
    let response = await this.get(target, undefined);
    if ((response.status === 401 || response.status === 403) && this.options.tokens && mayCarryGenesysToken(target, this.options.apiBaseUrl)) {
      await response.body?.cancel();
      const accessToken = await this.options.tokens.token();
      response = await this.get(target, accessToken);
      if (response.status === 401) {
        // The token itself was refused: a fresh one may work on the next attempt.
        this.options.tokens.invalidate(accessToken);
        await response.body?.cancel();
        throw new RetryableError('Genesys attachment download answered 401 with a token', 'attachment_unauthorized', 30_000);
      }
    }
    if (!response.ok) {
      await response.body?.cancel();
      const status = response.status;
      if (status === 408 || status === 429 || status >= 500) {
        throw new RetryableError(`Genesys attachment download answered ${status}`, 'attachment_download_failed', retryAfterMs(response.headers.get('retry-after'), Date.now()));
      }
      throw new PermanentError(`Genesys attachment download answered ${status}: the file is not available`, 'attachment_unavailable');
    }
    const declared = Number(response.headers.get('content-length'));
    if (response.headers.has('content-length') && declared > this.options.maxBytes) {
      await response.body?.cancel();
      return { kind: 'too-large', sizeBytes: declared };
    }
    const mime = response.headers.get('content-type') ?? undefined;
    const bytes = await readCapped(response, this.options.maxBytes);
    return bytes === 'too-large' ? { kind: 'too-large', sizeBytes: this.options.maxBytes + 1 } : { kind: 'file', bytes, mime };
  }

  private async get(target: URL, accessToken: string | undefined): Promise<Response> {
    const started = performance.now();
    try {
      const response = await fetch(target, {
        headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
      this.options.onRequest?.(response.status, (performance.now() - started) / 1000);
      return response;
    } catch {
      this.options.onRequest?.('error', (performance.now() - started) / 1000);
      // The fetch error is left out on purpose: attachment URLs may carry signed query strings.
      throw new RetryableError(`Genesys attachment download from ${target.host} failed or timed out`, 'attachment_download_failed');
    }
  }
}

/** The API host itself, or (https only) a sibling of it: api.mypurecloud.ie → api-downloads.mypurecloud.ie. */
export function mayCarryGenesysToken(target: URL, apiBaseUrl: string): boolean {
  const api = new URL(apiBaseUrl);
  if (target.origin === api.origin) return true;
  if (target.protocol !== 'https:') return false;
  const parentOf = (host: string) => host.split('.').slice(1).join('.');
  const apiParent = parentOf(api.hostname);
  return apiParent.split('.').length >= 2 && parentOf(target.hostname) === apiParent;
}

function parseHttpUrl(url: string): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new PermanentError('attachment URL is not a valid URL', 'attachment_unavailable');
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new PermanentError('attachment URL is not http(s)', 'attachment_unavailable');
  return target;
}

async function readCapped(response: Response, maxBytes: number): Promise<Buffer | 'too-large'> {
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        return 'too-large';
      }
      chunks.push(value);
    }
  } catch {
    throw new RetryableError('Genesys attachment download broke off', 'attachment_download_failed');
  }
  return Buffer.concat(chunks);
}
