import { MemoryStore } from '../../src/stores/index.ts';
import { describeRecovery } from './recovery-suite.ts';

// One store for the whole file: a "restart" of the local server keeps it, as a process would keep its memory.
const store = new MemoryStore();
describeRecovery('memory', { open: async () => store });
