import readline from 'node:readline';

/** Where the CLI writes and reads; the process streams in production, buffers in tests. */
export interface CliIo {
  writeOut(text: string): void;
  writeErr(text: string): void;
  /** One line from stdin (secrets are read here, never from argv, which `ps` shows to everyone). */
  readStdinLine(prompt: string): Promise<string>;
}

export function processIo(): CliIo {
  return {
    writeOut: (text) => process.stdout.write(text),
    writeErr: (text) => process.stderr.write(text),
    readStdinLine: (prompt) => readFirstLine(process.stdin, prompt),
  };
}

function readFirstLine(input: NodeJS.ReadStream, prompt: string): Promise<string> {
  // The prompt goes to stderr so `… | npm run cli -- …` stays scriptable on stdout.
  if (input.isTTY) process.stderr.write(`${prompt}: `);
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input, terminal: false });
    let answered = false;
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      resolve(line);
    });
    lines.once('close', () => {
      if (!answered) reject(new Error('stdin ended before a line was read'));
    });
  });
}
