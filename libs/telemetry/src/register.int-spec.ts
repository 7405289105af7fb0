import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OtlpReceiver } from '@tgg/testing';

const REGISTER = path.resolve('dist/libs/telemetry/src/register.js');
const TOKEN = '7000000001:AAE-register_spec_token';

/** Runs an ES module snippet in a fresh `node` that imports the built register.js first, as main.ts does. */
async function runWithRegister(body: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const source = `await import(${JSON.stringify(pathToFileURL(REGISTER).href)});\n${body}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

/** CommonJS modules under @opentelemetry/ the process loaded (sdk-node and the instrumentations are CommonJS-only). */
const PRINT_LOADED_OTEL = `
const { createRequire } = await import('node:module');
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((file) => file.includes('/node_modules/@opentelemetry/'));
console.log(JSON.stringify(loaded.length));
`;

describe('@tgg/telemetry/register in a real process', () => {
  beforeAll(() => {
    if (!existsSync(REGISTER)) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  });

  it('loads no OpenTelemetry SDK when OTEL_EXPORTER_OTLP_ENDPOINT is unset', async () => {
    const off = await runWithRegister(PRINT_LOADED_OTEL, {});
    expect(off).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(off.stdout)).toBe(0);
    // The same probe sees the SDK when tracing is on, so a 0 above means something.
    const on = await runWithRegister(`${PRINT_LOADED_OTEL}\nprocess.exit(0);`, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(JSON.parse(on.stdout)).toBeGreaterThan(10);
  }, 60_000);

  it('exports fetch spans to OTLP/HTTP with the bot token cut out of the URL, and flushes on SIGTERM', async () => {
    const receiver = await OtlpReceiver.start();
    try {
      const result = await runWithRegister(
        `
        const { createServer } = await import('node:http');
        const server = createServer((request, response) => response.end('{"ok":true,"result":{}}'));
        await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
        await (await fetch('http://127.0.0.1:' + server.address().port + '/bot' + process.env.BOT_TOKEN + '/getMe', { method: 'POST' })).text();
        server.close();
        // register.ts flushes the batch processor on SIGTERM; the process then ends on its own.
        process.kill(process.pid, 'SIGTERM');
        `,
        // A long batch delay: the span can only arrive through the SIGTERM flush. The token comes through
        // the environment because the resource lists the command line (process.command_args).
        { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '60000', BOT_TOKEN: TOKEN },
      );
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const fetchSpans = receiver.spans.filter((span) => span.scope === '@opentelemetry/instrumentation-undici');
      expect(fetchSpans.map((span) => [span.service, span.attributes['url.full'], span.attributes['url.path']])).toEqual([
        ['tgg', expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/bot<redacted>\/getMe$/), '/bot<redacted>/getMe'],
      ]);
      expect(receiver.whereContains(TOKEN)).toEqual([]);
      expect(receiver.unsupportedRequests).toBe(0);
    } finally {
      await receiver.close();
    }
  }, 45_000);
});
