/**
 * `npm run cli -- <command>`: the operator CLI (SPEC §7), built to dist/apps/cli/src/main.js.
 * The commands live beside this file; run `npm run cli -- --help` for the list.
 */
import { processIo } from './cli-io.js';
import { runCli } from './run-cli.js';

const exitCode = await runCli(process.argv.slice(2), process.env, processIo());
// Exit explicitly: a keep-alive socket left by fetch must not keep an operator's terminal waiting.
process.exit(exitCode);
