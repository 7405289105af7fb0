export { DeadLetters, countOf, type DeadLetter, type DeadLetterListing, type DeadLetterOutcome, type DeadLetterSelection, type QueueSource } from './dead-letters.js';
export { OperationsError } from './operations-error.js';
export { grafanaTraceUrl, traceIdOf } from './trace-link.js';
export {
  checkChannel,
  checkGenesysToken,
  describeAge,
  genesysFailureText,
  integrationShapeText,
  OpenIntegration,
  telegramFailureText,
  type ChannelCheckDeps,
  type ChannelCredentials,
  type CheckReport,
} from './channel-checks.js';
