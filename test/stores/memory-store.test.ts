import { MemoryStore } from '../../src/stores/index.ts';
import { describeStoreContract } from './store-contract.ts';

describeStoreContract('memory', async ({ pageSize }) => {
  let clock = Date.now();
  return {
    store: new MemoryStore({ now: () => clock, pageSize }),
    advance: (ms) => {
      clock += ms;
    },
    now: () => clock,
  };
});
