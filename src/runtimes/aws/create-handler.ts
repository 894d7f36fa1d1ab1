import type { Context } from 'aws-lambda';
import type { WebSocketEvent, WebSocketResult } from '../../core/index.ts';
import { type AwsDependencies, composeAws } from './compose.ts';
import type { AwsRuntimeConfig } from './config.ts';
import { managementEndpointFor } from './management-clients.ts';

/** The WebSocket function's seams: the ones every function has (compose.ts). */
export type AwsHandlerDependencies = AwsDependencies;

export type WebSocketLambdaHandler = (event: WebSocketEvent, context?: Context) => Promise<WebSocketResult>;

/**
 * Builds the Lambda handler of the `$connect`, `$disconnect` and `$default` routes on the parts every
 * function shares (compose.ts). Each invocation logs with connectionId/routeKey/requestId keys (never tokens
 * or bodies) and flushes its metrics as one EMF document.
 */
export function createAwsHandler(
  config: AwsRuntimeConfig,
  deps: AwsHandlerDependencies = {},
): WebSocketLambdaHandler {
  const { powertools: logger, metrics, budget, brokerFor } = composeAws('websocket', config, deps);

  return async (event, context) => {
    const { connectionId, routeKey, requestId } = event.requestContext;
    const keys = { connectionId, routeKey, requestId };
    if (context) logger.addContext(context);
    logger.appendKeys(keys);
    const started = Date.now();
    // Fan-out stops starting posts in time to count what it could not send and to answer (gateways.ts).
    budget.begin(context);
    try {
      // $connect never posts to the connection: it exists only once this handler has returned 2xx.
      const result = await brokerFor(
        managementEndpointFor(config.managementEndpoint, event.requestContext),
      ).handle(event);
      logger.debug('route handled', { statusCode: result.statusCode, durationMs: Date.now() - started });
      return result;
    } catch (error) {
      metrics.count('errors');
      logger.error('invocation failed', { error: error instanceof Error ? error.message : String(error) });
      return { statusCode: 500 };
    } finally {
      budget.end();
      metrics.flush();
      logger.removeKeys(Object.keys(keys));
    }
  };
}
