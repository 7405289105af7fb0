/** Injects the process's GenesysTokenCache; `undefined` when no Genesys OAuth client is configured (a bare sandbox-mode process). */
export const GENESYS_TOKENS = Symbol('GENESYS_TOKENS');
