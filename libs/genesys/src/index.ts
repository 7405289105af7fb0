export { isValidGenesysSignature, signGenesysWebhook } from './webhook-signature.js';
export {
  toGenesysInboundMessage,
  toGenesysStructuredResponse,
  toGenesysTapAsText,
  genesysTapMessageIdOf,
  type ButtonTapMappingInput,
  genesysMessageIdOf,
  TELEGRAM_DOWNLOAD_LIMIT_BYTES,
  EDITED_MARK,
  UNSUPPORTED_PLACEHOLDER,
  type InboundMappingInput,
  type MediaFileRef,
} from './inbound-mapping.js';
export { classifyGenesysResponse, retryAfterMs } from './response-classification.js';
export { GenesysTokenCache, type TokenCacheOptions, type TokenHealth } from './token-cache.js';
export { OpenMessagingClient, type OpenMessagingClientOptions } from './open-messaging.client.js';
export { GENESYS_TOKENS } from './genesys-tokens.js';
export { genesysClientProviders } from './genesys-client.providers.js';
