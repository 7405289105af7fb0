/**
 * A failure the operator can act on: printed as one line (`error: <message>`), exit code 1.
 * Messages name channels, variables and URLs without credentials — never a secret value.
 */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
