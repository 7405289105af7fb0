import net from 'node:net';

/** Raw sockets for the hostile-input spec: slow loris and oversized uploads that fetch cannot send. */

/** Failsafe for one request: an answer later than this counts as a hang. */
export const REQUEST_FAILSAFE_MS = 15_000;

export interface SlowLorisOutcome {
  closedAfterMs: number | undefined;
  statusLine: string;
  bytesSent: number;
}

/** Sends `head` at once, then `dribble` bytes every `everyMs`, until the server closes the socket or the failsafe passes. */
export function slowLoris(port: number, head: string, dribble: string, everyMs: number, failsafeMs: number): Promise<SlowLorisOutcome> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    let received = '';
    let bytesSent = 0;
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head);
      bytesSent += Buffer.byteLength(head);
    });
    const ticker = setInterval(() => {
      if (!socket.writable) return;
      socket.write(dribble);
      bytesSent += Buffer.byteLength(dribble);
    }, everyMs);
    const failsafe = setTimeout(() => finish(undefined), failsafeMs);
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined); // a reset after the 408 is the server closing: 'close' follows
    socket.on('close', () => finish(Date.now() - startedAt));
    let done = false;
    function finish(closedAfterMs: number | undefined): void {
      if (done) return;
      done = true;
      clearInterval(ticker);
      clearTimeout(failsafe);
      socket.destroy();
      resolve({ closedAfterMs, statusLine: received.split('\r\n')[0] ?? '', bytesSent });
    }
  });
}

export interface UploadOutcome {
  /** Everything the server wrote back, in order. */
  response: string;
  /** Body bytes the client had written when the first byte of the answer arrived. */
  bodyBytesSentAtAnswer: number;
  /** Socket errors seen (ECONNRESET would mean the server reset the connection on us). */
  errors: string[];
}

/**
 * Uploads `totalBytes` of body in 64 KiB chunks (or HTTP chunks) as a naive client would, except
 * that it pauses after `pauseAfterBytes` until the server answered (failsafe: no answer). Then it
 * writes the rest anyway, ends, and collects everything until the server closes.
 */
export function oversizedUpload(port: number, head: string, options: { chunked: boolean; totalBytes: number; pauseAfterBytes: number }): Promise<UploadOutcome> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const errors: string[] = [];
    let response = '';
    let sent = 0;
    let sentAtAnswer: number | undefined;
    let answered: () => void = () => undefined;
    const answer = new Promise<void>((done) => (answered = done));
    const socket = net.connect(port, '127.0.0.1');
    const failsafe = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and close within ${REQUEST_FAILSAFE_MS} ms after ${sent} body bytes`));
    }, REQUEST_FAILSAFE_MS);
    socket.on('data', (data) => {
      sentAtAnswer ??= sent;
      response += data.toString('latin1');
      answered();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    socket.on('close', () => {
      clearTimeout(failsafe);
      if (sentAtAnswer === undefined) return reject(new Error(`closed without an answer after ${sent} body bytes (${errors.join(', ')})`));
      resolve({ response, bodyBytesSentAtAnswer: sentAtAnswer, errors });
    });
    const write = (data: Buffer | string) => new Promise<void>((done) => socket.write(data, () => done()));
    const writeBody = async (upTo: number) => {
      while (sent < upTo && socket.writable) {
        const part = chunk.subarray(0, Math.min(chunk.length, upTo - sent));
        await write(options.chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]) : part);
        sent += part.length;
      }
    };
    socket.once('connect', async () => {
      await write(head);
      await writeBody(options.pauseAfterBytes);
      await answer;
      await writeBody(options.totalBytes);
      if (options.chunked && socket.writable) await write('0\r\n\r\n');
      socket.end();
    });
  });
}

/**
 * Writes the head and the whole body at once without looking at the answer, then ends its side, as
 * a naive client does (curl and fetch behave the same way), and collects what came back until the
 * server closed. A reset shows up in `errors`.
 */
export function fullUpload(port: number, head: string, totalBytes: number): Promise<{ response: string; errors: string[]; bodyBytesWritten: number }> {
  return new Promise((resolve, reject) => {
    const errors: string[] = [];
    let response = '';
    let bodyBytesWritten = 0;
    const socket = net.connect(port, '127.0.0.1');
    const failsafe = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${REQUEST_FAILSAFE_MS} ms (${errors.join(', ')})`));
    }, REQUEST_FAILSAFE_MS);
    socket.on('data', (data) => (response += data.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    socket.on('close', () => {
      clearTimeout(failsafe);
      resolve({ response, errors, bodyBytesWritten });
    });
    socket.once('connect', () => {
      socket.write(head);
      const body = Buffer.alloc(totalBytes, 'x');
      socket.write(body, (error) => {
        if (!error) bodyBytesWritten = body.length;
      });
      socket.end();
    });
  });
}
