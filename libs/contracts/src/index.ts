export * from './errors.js';
export * from './telegram/update.js';
export * from './genesys/open-messaging.js';
export * from './jobs/index.js';
