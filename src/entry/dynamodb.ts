/**
 * `topicsocket/dynamodb`: the production store and its table helpers. An entry point of its own so that
 * `topicsocket` (the local server) never loads the AWS SDK.
 */
export * from '../stores/dynamodb/index.ts';
