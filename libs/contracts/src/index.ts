export * from './errors.js';
export * from './telegram/update.js';
export * from './genesys/open-messaging.js';
export * from './genesys/structured-content.js';
export * from './jobs/index.js';
