import { spawn, type ChildProcess } from 'node:child_process';
import { createTestDatabase, eventually, redisUrl, reservePort, testQueuePrefix, type TestDatabase } from '@tgg/testing';

/**
 * SPEC §2: `npm run service -- <name>` runs one service from the build exactly as its container
 * does, and any number of each may run at once against the same Redis and Postgres. Through npm, as
 * an operator types it: SIGTERM to npm must reach the service (npm → sh → scripts/service.mjs →
 * main.js), which drains and exits 0.
 */
interface RunningCommand {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function runService(args: string[], env: Record<string, string>): RunningCommand {
  const child = spawn('npm', ['run', '--silent', 'service', '--', ...args], {
    // Only what npm needs plus the service's env: nothing of the test runner's (NODE_OPTIONS, JEST_*) leaks in.
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, output: () => chunks.join(''), exited };
}

async function readiness(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(5000) });
  await response.arrayBuffer();
  return response.status;
}

describe('npm run service -- <name>', () => {
  let database: TestDatabase;
  const running: RunningCommand[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    // Only if a test failed half-way (a no-op for those that exited): SIGTERM, which npm passes on.
    for (const command of running) command.process.kill('SIGTERM');
    await database?.drop();
  });

  it('runs two sequencers side by side against the same Redis and Postgres; SIGTERM stops each with exit 0', async () => {
    const queuePrefix = testQueuePrefix();
    const ports = [await reservePort(), await reservePort()];
    const sequencers = ports.map((port) => {
      const command = runService(['sequencer'], { DATABASE_URL: database.url, REDIS_URL: redisUrl(), QUEUE_PREFIX: queuePrefix, SEQUENCER_PORT: String(port), LOG_LEVEL: 'warn' });
      running.push(command);
      return command;
    });

    for (const [index, port] of ports.entries()) {
      await eventually(async () => {
        if (sequencers[index]!.process.exitCode !== null) throw new Error(`sequencer on ${port} exited early:\n${sequencers[index]!.output()}`);
        expect(await readiness(port)).toBe(200);
      }, 30_000, 200);
    }

    for (const [index, sequencer] of sequencers.entries()) {
      sequencer.process.kill('SIGTERM');
      expect({ exitCode: await sequencer.exited, output: sequencer.output() }).toEqual({ exitCode: 0, output: expect.any(String) });
      // The service itself stopped, not only the npm in front of it: its port no longer answers.
      await expect(readiness(ports[index]!)).rejects.toThrow();
    }
  }, 90_000);

  it.each([[['nosuch']], [[]]])('refuses %j with one line naming the four services, exit 2', async (args) => {
    const command = runService(args, {});
    running.push(command);
    expect(await command.exited).toBe(2);
    const lines = command.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ingress, sequencer, dispatcher, outbound$/);
  });
});
