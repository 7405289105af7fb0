/**
 * A refusal or failure an operator can act on (an unknown job, a job that is not failed, a missing
 * confirmation). Its message names queues, jobs and channels, never a secret; the CLI prints it as
 * one line, the ops console shows it on the page.
 */
export class OperationsError extends Error {
  override readonly name = 'OperationsError';
}
