import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';

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
