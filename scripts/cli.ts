/**
 * `npm run cli -- <command>`: the operator CLI (SPEC §7). The commands live in scripts/cli/;
 * run `npm run cli -- --help` for the list.
 */
import { processIo } from './cli/cli-io.js';
import { runCli } from './cli/run-cli.js';

const exitCode = await runCli(process.argv.slice(2), process.env, processIo());
// Exit explicitly: a keep-alive socket left by fetch must not keep an operator's terminal waiting.
process.exit(exitCode);
