export * from './deploy-files.js';
export * from './product-contract.js';
