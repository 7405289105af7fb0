export { FakeTelegram, type FakeTelegramOptions, type TelegramCall, type TelegramCallMatcher, type TelegramFailure } from './fake-telegram.js';
export type { BotProfile, ChatTranscript, ChatTranscriptEntry, StoredFile, TranscriptKind } from './telegram-state.js';
export { CALLBACK_DATA_MAX_BYTES, type RecordedButton, type RecordedKeyboard } from './telegram-reply-markup.js';
export { newTelegramFileIds, type TelegramFileIds, type TelegramFileKind } from './telegram-file-ids.js';
export type { SandboxUser, UserAttachment, UserMessageInput } from './telegram-user-updates.js';
export type { ButtonTapInput } from './telegram-callback-queries.js';
export type { BotApiReply } from './bot-api-reply.js';
export {
  FakeGenesys,
  type AgentMessageRecord,
  type FakeGenesysOptions,
  type GenesysFailure,
  type GenesysRequestRecord,
  type GenesysRoute,
  type PreparedAgentMessage,
} from './fake-genesys.js';
export {
  cardContent,
  carouselContent,
  datePickerContent,
  linkAction,
  notificationContent,
  postbackAction,
  quickReplies,
  type CardInput,
  type StructuredContentItem,
} from './genesys-structured-content.js';
export { hubSignature, type AgentAttachment, type AgentEvent, type AgentMessageInput } from './genesys-agent-message.js';
export type { ConversationView, TranscriptAttachment, TranscriptMessage, TranscriptReceipt } from './genesys-conversations.js';
export type { InboundEventRecord, InboundMessageRecord, InboundReceiptRecord, InboundStructuredResponseRecord, OpenInboundEvent } from './genesys-inbound.js';
export type { IntegrationRecord, IntegrationSettings } from './genesys-integrations.js';
export { RecordingReceiver, type ReceivedRequest } from './recording-receiver.js';
export { WaitTimeoutError } from './arrival-waiters.js';
export type { UploadedFile } from './request-body.js';
export type { WebhookResult } from './webhook-delivery.js';
export { SandboxEnvironment, type SandboxPorts, type SandboxTargets } from './sandbox-environment.js';
