/**
 * topicsocket's server-side entry point: the protocol, the transport-agnostic core, the embedded store and
 * the local runtime. The AWS runtime (`src/runtimes/aws`) and the DynamoDB store (`src/stores/dynamodb`) are
 * imported from their own folders so local users never load the AWS SDK; the client SDK is `topicsocket/client`.
 */
export * from './core/index.ts';
export * from './protocol/index.ts';
export { type LocalServer, type LocalServerOptions, startLocalServer } from './runtimes/local/index.ts';
export * from './stores/index.ts';
