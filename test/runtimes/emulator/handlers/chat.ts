// A chat Lambda in TypeScript with custom routes, as written for AWS: it answers through the @connections
// management API with the AWS SDK v3, at the endpoint built from the event (http while IS_OFFLINE is set,
// as handlers written for serverless-offline do).
import {
  ApiGatewayManagementApiClient,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';

interface Event {
  requestContext: { routeKey: string; connectionId: string; domainName: string; stage: string };
  body?: string;
}

function client(event: Event): ApiGatewayManagementApiClient {
  const scheme = process.env.IS_OFFLINE ? 'http' : 'https';
  return new ApiGatewayManagementApiClient({
    endpoint: `${scheme}://${event.requestContext.domainName}/${event.requestContext.stage}`,
  });
}

export async function send(event: Event): Promise<{ statusCode: number; body?: string }> {
  const { connectionId } = event.requestContext;
  const message = JSON.parse(event.body ?? '{}') as { text?: string };
  const api = client(event);
  const connection = await api.send(new GetConnectionCommand({ ConnectionId: connectionId }));
  await api.send(
    new PostToConnectionCommand({
      ConnectionId: connectionId,
      Data: JSON.stringify({ text: message.text, userAgent: connection.Identity?.UserAgent ?? null }),
    }),
  );
  // Not a two-way route: API Gateway drops this body.
  return { statusCode: 200, body: 'dropped' };
}

export async function echo(event: Event): Promise<{ statusCode: number; body: string }> {
  return { statusCode: 200, body: `echo:${event.body}` };
}

export async function binary(event: Event): Promise<{ statusCode: number }> {
  try {
    await client(event).send(
      new PostToConnectionCommand({
        ConnectionId: event.requestContext.connectionId,
        Data: Buffer.from([0xff, 0xfe, 0x00]),
      }),
    );
  } catch (error) {
    return { statusCode: 500, body: String(error) } as { statusCode: number };
  }
  return { statusCode: 200 };
}

export async function gone(event: Event): Promise<{ statusCode: number; body: string }> {
  try {
    await client(event).send(
      new PostToConnectionCommand({ ConnectionId: event.requestContext.connectionId, Data: 'x' }),
    );
    return { statusCode: 200, body: 'posted' };
  } catch (error) {
    return { statusCode: 200, body: `failed:${(error as Error).name}` };
  }
}

export async function whoami(event: Event): Promise<{ statusCode: number; body: string }> {
  return { statusCode: 200, body: event.requestContext.connectionId };
}
