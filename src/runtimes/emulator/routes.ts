import type { WebSocketHandler } from './handler.ts';

/**
 * A route's integration: a Lambda-shaped handler, or a MOCK integration that answers from the message alone
 * (API Gateway renders it from templates without invoking anything).
 */
export type RouteDefinition =
  | {
      handler: WebSocketHandler;
      /**
       * A two-way route: what the integration returns is sent back to the caller as one frame. Without a
       * route response API Gateway discards the integration's result, as here.
       */
      routeResponse?: boolean;
    }
  | { mock: (body: string) => string };

/** The routes of a WebSocket API, as API Gateway defines them. */
export interface RouteTable {
  /**
   * Evaluated against each JSON message to pick the route: `$request.body.{path}` (also spelled
   * `${request.body.path}`). API Gateway's default in the console and in the Serverless Framework is
   * `$request.body.action`.
   */
  selectionExpression: string;
  /** By route key: `$connect`, `$disconnect`, `$default` (each optional) and custom keys. */
  routes: Readonly<Record<string, RouteDefinition>>;
}

export const DEFAULT_ROUTE_SELECTION_EXPRESSION = '$request.body.action';

/** Every route to one handler, `$default` two-way: what a single-function API does. */
export function singleHandlerRoutes(
  handler: WebSocketHandler,
  selectionExpression = DEFAULT_ROUTE_SELECTION_EXPRESSION,
): RouteTable {
  return {
    selectionExpression,
    routes: {
      $connect: { handler },
      $disconnect: { handler },
      $default: { handler, routeResponse: true },
    },
  };
}

/**
 * The path a selection expression reads from the message body, e.g. `['action']` or `['data', 'kind']`.
 * Throws for anything else: API Gateway refuses such an expression when the API is created.
 */
export function selectionPath(expression: string): string[] {
  const match = /^\$(?:request\.body|\{request\.body)((?:\.[^.{}$[\]]+|\['[^']+'\])+)\}?$/.exec(
    expression.trim(),
  );
  const braced = expression.trim().startsWith('${');
  if (!match || braced !== expression.trim().endsWith('}')) {
    throw new Error(
      `route selection expression "${expression}" is not of the form $request.body.{path} (e.g. $request.body.action)`,
    );
  }
  return [...(match[1] as string).matchAll(/\.([^.{}$[\]]+)|\['([^']+)'\]/g)].map(
    (part) => (part[1] ?? part[2]) as string,
  );
}

/**
 * The route key a message selects, or undefined when the expression cannot be evaluated (not JSON, the
 * field is missing or null): then `$default` applies. The value is stringified, as API Gateway does.
 */
export function selectRouteKey(path: readonly string[], body: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const name of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, name)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A RouteTable ready to route messages: its expression parsed once, checked when it is made. */
export class Router {
  private readonly path: string[];
  /** With no custom route every message goes to `$default`, and bodies need not be parsed. */
  private readonly custom: boolean;

  constructor(readonly table: RouteTable) {
    this.path = selectionPath(table.selectionExpression);
    this.custom = Object.keys(table.routes).some((key) => !key.startsWith('$'));
  }

  /** `$connect` or `$disconnect`, when the API has one. */
  lifecycle(key: '$connect' | '$disconnect'): Extract<RouteDefinition, { handler: unknown }> | undefined {
    const route = this.table.routes[key];
    return route && 'handler' in route ? route : undefined;
  }

  /**
   * The route for a message: the one whose key the expression selects, else `$default`, else none (API
   * Gateway then answers the caller with a `Forbidden` error frame and keeps the connection).
   */
  message(body: string): { key: string; route: RouteDefinition } | undefined {
    const { routes } = this.table;
    if (this.custom) {
      const key = selectRouteKey(this.path, body);
      if (key !== undefined && !key.startsWith('$') && Object.hasOwn(routes, key)) {
        return { key, route: routes[key] as RouteDefinition };
      }
    }
    const fallback = routes.$default;
    return fallback ? { key: '$default', route: fallback } : undefined;
  }
}
