import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalServer } from '../../src/runtimes/local/index.ts';
import { createDynamoDbClient, DynamoDbStore } from '../../src/stores/dynamodb/index.ts';
import { hostServer } from './host.ts';

/** Counts every DynamoDB command the store sends (retries of one command count once), by command name. */
function countRequests(client: DynamoDBClient): Record<string, number> {
  const counters: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = `dynamodb.${context.commandName ?? 'unknown'}`;
      counters[name] = (counters[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  return counters;
}

/**
 * topicsocket's local server on the DynamoDB store, against DynamoDB Local (endpoint and table from the
 * runner's environment): the Lambda's data path, with the emulator standing in for API Gateway.
 */
hostServer(async () => {
  const endpoint = process.env.BENCH_DYNAMODB_ENDPOINT;
  const tableName = process.env.BENCH_DYNAMODB_TABLE;
  if (!endpoint || !tableName)
    throw new Error('BENCH_DYNAMODB_ENDPOINT and BENCH_DYNAMODB_TABLE are required');
  const client = createDynamoDbClient({ endpoint });
  const counters = countRequests(client);
  const server = await startLocalServer({
    port: 0,
    host: '127.0.0.1',
    store: new DynamoDbStore({ client, tableName }),
    brokerLimits: { publishRate: false },
    limits: { maxConnectionsPerIp: 0 },
  });
  return {
    port: server.port,
    close: async () => {
      await server.close();
      client.destroy();
    },
    counters: () => ({ ...counters }),
  };
});
