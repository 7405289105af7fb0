import { create as contentDispositionOf } from 'content-disposition';

/**
 * The headers a customer's file is served with. The MIME type and name come from the customer
 * (Telegram passes on what their app claimed), so the response must never let a browser run it:
 * active types (HTML, SVG, XML, script) go out as `application/octet-stream`; only image, video and
 * audio are shown inline; everything else is an attachment; `nosniff` stops a browser from guessing
 * its way back to HTML. The name travels RFC 6266 style: an ASCII `filename` fallback plus
 * `filename*=UTF-8''…` (RFC 5987/8187) when it has anything else.
 */
// A type alias, not an interface: Fastify's reply.headers() wants something with an implicit index signature.
export type MediaResponseHeaders = {
  'content-type': string;
  'content-disposition': string;
  'x-content-type-options': 'nosniff';
};

const SAFE_FALLBACK_TYPE = 'application/octet-stream';
// RFC 6838 type/subtype names; anything else (parameters, spaces, CR/LF) is not a type we repeat.
const MIME_ESSENCE = /^([a-z0-9][a-z0-9!#$&^_.+-]{0,126})\/([a-z0-9][a-z0-9!#$&^_.+-]{0,126})$/;
const INLINE_TOP_LEVEL_TYPES = new Set(['image', 'video', 'audio']);
// Types a browser renders as a document or runs, beyond what the subtype patterns below catch.
const ACTIVE_TYPES = new Set(['application/x-shockwave-flash', 'application/futuresplash', 'multipart/x-mixed-replace', 'text/xsl', 'text/vtt']);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function mediaResponseHeadersOf(mime: string | undefined, filename: string | undefined): MediaResponseHeaders {
  const essence = mimeEssenceOf(mime);
  const active = essence !== undefined && isActiveType(essence);
  const contentType = essence === undefined || active ? SAFE_FALLBACK_TYPE : essence;
  const inline = !active && essence !== undefined && INLINE_TOP_LEVEL_TYPES.has(essence.slice(0, essence.indexOf('/')));
  const name = filename === undefined || filename === '' ? undefined : filename.replace(LONE_SURROGATE, '\uFFFD'); // percent-encoding needs well-formed UTF-16
  return {
    'content-type': contentType,
    'content-disposition': contentDispositionOf(name, { type: inline ? 'inline' : 'attachment' }),
    'x-content-type-options': 'nosniff',
  };
}

/** `type/subtype` in lower case without parameters, or undefined when it is not a valid MIME type. */
function mimeEssenceOf(mime: string | undefined): string | undefined {
  const essence = mime?.split(';', 1)[0]?.trim().toLowerCase();
  return essence !== undefined && MIME_ESSENCE.test(essence) ? essence : undefined;
}

function isActiveType(essence: string): boolean {
  const subtype = essence.slice(essence.indexOf('/') + 1);
  return (
    ACTIVE_TYPES.has(essence) ||
    subtype.includes('html') || // text/html, application/xhtml+xml
    subtype === 'xml' ||
    subtype.endsWith('+xml') || // image/svg+xml, application/rss+xml, application/xslt+xml, …
    subtype.includes('javascript') ||
    subtype.includes('ecmascript') ||
    subtype === 'x-sgml' ||
    subtype === 'svg'
  );
}
