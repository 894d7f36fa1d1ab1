import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { ManagementClients } from '../../src/runtimes/aws/management-clients.ts';
import { RequestCounter } from './sdk-faults.ts';

/**
 * A real `@connections` client for the local emulator: placeholder credentials (the emulator does not check
 * signatures) and `maxAttempts: 1`, as in the Lambda, so the gateway's own retry policy is what is tested.
 */
export function localManagementClient(endpoint: string): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/**
 * `@connections` clients for the emulator that post through the SDK client (`posts: 'sdk'`), so SDK middleware
 * sees every post: `counter()` counts the requests of the client made last (the tests use one endpoint).
 */
export function countedManagementClients(): {
  managementClients: ManagementClients;
  counter: () => RequestCounter | undefined;
} {
  let counter: RequestCounter | undefined;
  const managementClients = new ManagementClients(
    (endpoint) => {
      const client = localManagementClient(endpoint);
      counter = new RequestCounter(client);
      return client;
    },
    { posts: 'sdk' },
  );
  return { managementClients, counter: () => counter };
}
