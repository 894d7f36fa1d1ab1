/** Store implementations. Each passes test/stores/store-contract.ts. */

export { defaultMemoryHistoryLimits, type MemoryHistoryLimits } from './memory/memory-history.ts';
export { MemoryStore, type MemoryStoreOptions } from './memory/memory-store.ts';
