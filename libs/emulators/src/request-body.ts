import type { IncomingMessage } from 'node:http';

/** A file part of a multipart upload, as recorded for assertions. */
export interface UploadedFile {
  field: string;
  filename: string;
  size: number;
  mime: string;
}

/** An uploaded part with its bytes, so the emulator can serve it again (e.g. via getFile). */
export interface UploadedFileWithBytes extends UploadedFile {
  bytes: Buffer;
}

export interface ParsedParams {
  params: Record<string, unknown>;
  files: UploadedFileWithBytes[];
}

export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export class MalformedBodyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MalformedBodyError';
  }
}

/** Reads the whole body, refusing more than `limitBytes` so a runaway client cannot exhaust memory. */
export async function readRawBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let totalBytes = 0;
  for await (const chunk of request) {
    // A request stream without setEncoding() yields Buffers.
    const bytes = chunk as Buffer;
    totalBytes += bytes.length;
    if (totalBytes > limitBytes) throw new BodyTooLargeError(limitBytes);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

export function mediaTypeOf(contentTypeHeader: string | undefined): string {
  return (contentTypeHeader ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parameters of a request the way the Bot API accepts them: query string, then a JSON,
 * urlencoded or multipart body on top. Multipart is parsed by undici's Response.formData(), the
 * same parser fetch uses, so we test against a real implementation rather than a home-made one.
 */
export async function parseParams(rawBody: Buffer, contentTypeHeader: string | undefined, query: URLSearchParams): Promise<ParsedParams> {
  const params: Record<string, unknown> = Object.fromEntries(query);
  const files: UploadedFileWithBytes[] = [];
  const mediaType = mediaTypeOf(contentTypeHeader);
  if (rawBody.length === 0) return { params, files };

  if (mediaType === 'application/json') {
    Object.assign(params, parseJsonObject(rawBody));
  } else if (mediaType === 'application/x-www-form-urlencoded') {
    Object.assign(params, Object.fromEntries(new URLSearchParams(rawBody.toString('utf8'))));
  } else if (mediaType === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Response(rawBody, { headers: { 'content-type': contentTypeHeader ?? '' } }).formData();
    } catch (error) {
      throw new MalformedBodyError('multipart body could not be parsed', { cause: error });
    }
    for (const [field, value] of form) {
      if (typeof value === 'string') {
        params[field] = value;
      } else {
        const bytes = Buffer.from(await value.arrayBuffer());
        files.push({ field, filename: value.name, size: bytes.length, mime: value.type || 'application/octet-stream', bytes });
      }
    }
  }
  return { params, files };
}

export function parseJsonObject(rawBody: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch (error) {
    throw new MalformedBodyError('body is not valid JSON', { cause: error });
  }
  if (!isPlainObject(parsed)) throw new MalformedBodyError('body is not a JSON object');
  return parsed;
}

/** Decodes `Authorization: Basic …` into its two halves; undefined when absent or malformed. */
export function basicCredentials(authorizationHeader: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+(.+)$/i.exec(authorizationHeader ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function bearerToken(authorizationHeader: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(authorizationHeader ?? '')?.[1];
}
