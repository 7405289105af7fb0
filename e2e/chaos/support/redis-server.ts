import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isAddressInUse, reservePort } from '@tgg/testing';

export type AppendFsync = 'everysec' | 'always';

/** How often a first start moves to a fresh port when the reserved one was taken meanwhile. */
const PORT_ATTEMPTS = 3;

/**
 * A redis-server of the test's own (never the machine's), persisting with AOF in a temporary
 * directory, so a test can stop it — gracefully or with kill -9 — and start it again on the same
 * port and data.
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private output: string[] = [];

  private constructor(
    readonly port: number,
    readonly dir: string,
    private appendfsync: AppendFsync,
  ) {}

  /**
   * A reserved port (outside the ephemeral range, probed); if another process took it before
   * redis-server listened, a fresh one is tried. Restarts use the same port (clients point at it).
   */
  static async start(options: { appendfsync?: AppendFsync } = {}): Promise<RedisServer> {
    for (let attempt = 1; ; attempt++) {
      const server = new RedisServer(await reservePort(), await mkdtemp(path.join(os.tmpdir(), 'tgg-chaos-redis-')), options.appendfsync ?? 'everysec');
      try {
        await server.start();
        return server;
      } catch (error) {
        await server.close();
        if (!isAddressInUse(server.logs()) || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts (again) on the same port and directory; resolves once it answers PING (the AOF is loaded). */
  async start(options: { appendfsync?: AppendFsync } = {}): Promise<void> {
    if (this.child) throw new Error('redis-server is already running');
    this.appendfsync = options.appendfsync ?? this.appendfsync;
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', this.appendfsync, '--save', '', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.output = [];
    const keep = (chunk: Buffer) => this.output.push(chunk.toString());
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.child = child;
    const deadline = Date.now() + 15_000;
    while (!(await answersPing(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on ${this.port}:\n${this.output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM: Redis fsyncs the AOF and exits. SIGKILL: gone at once, with what the fsync policy wrote. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    if (!this.child) return;
    this.child.kill(signal);
    await this.exited;
    this.child = undefined;
  }

  logs(): string {
    return this.output.join('');
  }

  async close(): Promise<void> {
    await this.stop('SIGKILL');
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** True when the server answers +PONG (not -LOADING while it reads the AOF). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}
