import { awsStyleId } from '../../src/runtimes/local/index.ts';

/**
 * Connection ids for the emulator's `connectionIds` option, AWS-style and recorded in the order assigned, so a
 * test knows the id of the client it just opened (the last one) without asking the server.
 */
export function recordedConnectionIds(): { ids: string[]; connectionIds: () => string } {
  const ids: string[] = [];
  return {
    ids,
    connectionIds: () => {
      const id = awsStyleId();
      ids.push(id);
      return id;
    },
  };
}
