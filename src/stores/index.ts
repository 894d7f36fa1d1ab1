/** Store implementations. Each passes test/stores/store-contract.ts. */
export { MemoryStore, type MemoryStoreOptions } from './memory/memory-store.ts';
