/** The DynamoDB store and its table helpers. Imported separately from ../index.ts so memory users skip the SDK. */
export { BATCH_WRITE_LIMIT, BatchWriteIncompleteError, batchDelete } from './batch-write.ts';
export { createDynamoDbClient } from './client.ts';
export { DynamoDbStore, type DynamoDbStoreOptions } from './dynamodb-store.ts';
export { createTableInput, ensureTable } from './ensure-table.ts';
export {
  MARKER_CACHE_MAX_ENTRIES,
  MARKER_CACHE_WINDOW_MS,
  MARKER_WAIT_MARGIN_MS,
  type MonotonicClock,
} from './pattern-marker-cache.ts';
export { LambdaEnvironment, TableActions, TableDesign } from './table-design.ts';
