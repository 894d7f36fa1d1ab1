/**
 * `npm run offline`: the seed article's local setup with topicsocket's handler. Starts DynamoDB Local,
 * creates the stage "local" table from the store's design, and runs `serverless offline` on port 3001 (the
 * port the seed's clients use; PORT overrides it; HTTP_PORT and LAMBDA_PORT move serverless-offline's
 * other two from 3000 and 3002) until Ctrl-C, then stops both. The auth variables of your shell
 * (`TOPICSOCKET_AUTH=open`, a JWT secret...) reach the handler.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaEnvironment } from '../../../src/core/config-env.ts';
import { ensureTable } from '../../../src/stores/dynamodb/ensure-table.ts';
import { tableModel } from '../../model/index.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '../lib/dynamodb-local.ts';
import { callerAuthSettings, offlineEnv, serverlessBin, serviceDir } from '../lib/serverless-cli.ts';

const port = Number(process.env.PORT ?? 3001);
let dynamo: DynamoDbLocal | undefined;
let offline: ChildProcess | undefined;

// Registered first, so Ctrl-C during startup still stops whatever has started.
async function shutdown(code: number): Promise<never> {
  if (offline && offline.exitCode === null) {
    const exited = new Promise((resolve) => offline?.once('exit', resolve));
    offline.kill('SIGTERM');
    await exited;
  }
  await dynamo?.stop();
  process.exit(code);
}
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));

dynamo = await startDynamoDbLocal();
const client = new DynamoDBClient({
  endpoint: dynamo.endpoint,
  region: 'us-east-1',
  credentials: {
    accessKeyId: offlineEnv.AWS_ACCESS_KEY_ID!,
    secretAccessKey: offlineEnv.AWS_SECRET_ACCESS_KEY!,
  },
});
await ensureTable(client, tableModel('serverless', 'local').name);
client.destroy();

offline = spawn(
  process.execPath,
  [
    serverlessBin,
    'offline',
    'start',
    '--stage',
    'local',
    '--param',
    `managementEndpoint=http://localhost:${port}`,
    '--websocketPort',
    String(port),
    ...(process.env.HTTP_PORT ? ['--httpPort', process.env.HTTP_PORT] : []),
    ...(process.env.LAMBDA_PORT ? ['--lambdaPort', process.env.LAMBDA_PORT] : []),
    '--localEnvironment',
  ],
  {
    cwd: serviceDir,
    // Running the handler here is the developer's own session: their auth settings apply (packaging ignores them).
    env: { ...offlineEnv, ...callerAuthSettings(), [LambdaEnvironment.dynamodbEndpoint]: dynamo.endpoint },
    stdio: 'inherit',
  },
);
offline.once('exit', (code) => void shutdown(code ?? 0));
