import { MemoryStore } from '../../src/stores/index.ts';
import { describeRecovery } from './recovery-suite.ts';

// One store until a reset: a "restart" of the local server keeps it, as a process would keep its memory; a
// reset stands for the process itself restarting (its memory, so its history, is gone).
let store = new MemoryStore();
describeRecovery('memory', {
  open: async () => store,
  reset: async () => {
    store = new MemoryStore();
  },
});
