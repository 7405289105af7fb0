import { randomBytes } from 'node:crypto';

/**
 * multipart/form-data for an upload that arrives as a stream. undici's FormData takes only Blobs,
 * which live in memory; this writes the same wire format (WHATWG "multipart/form-data encoding
 * algorithm") around the stream, so a large file passes through without being buffered.
 */
export interface StreamingMultipart {
  contentType: string;
  body: ReadableStream<Uint8Array>;
  /** What the source stream failed with, if it did (fetch reports only a generic network error). */
  sourceError(): unknown;
}

export function streamingMultipart(
  fields: readonly (readonly [name: string, value: string])[],
  file: { field: string; filename: string; mime: string; stream: ReadableStream<Uint8Array> },
): StreamingMultipart {
  const boundary = `----tgg${randomBytes(12).toString('hex')}`;
  const encoder = new TextEncoder();
  const fieldParts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"\r\n\r\n${normaliseNewlines(value)}\r\n`);
  const fileHead =
    `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(file.field)}"; filename="${escapeName(file.filename)}"\r\n` +
    `Content-Type: ${file.mime.replace(/[\r\n]/g, '')}\r\n\r\n`;
  const head = encoder.encode(fieldParts.join('') + fileHead);
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);

  let failure: unknown;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield head;
    const reader = file.stream.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        yield value;
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      reader.releaseLock();
    }
    yield tail;
  }
  const iterator = chunks();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
  return { contentType: `multipart/form-data; boundary=${boundary}`, body, sourceError: () => failure };
}

/** As the WHATWG algorithm escapes names and filenames: quote and line breaks percent-encoded. */
function escapeName(name: string): string {
  return name.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}

/** Field values get CRLF line breaks, as browsers and undici send them. */
function normaliseNewlines(value: string): string {
  return value.replace(/\r\n|\r|\n/g, '\r\n');
}
