import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { DEFAULT_ROUTE_SELECTION_EXPRESSION } from '../../runtimes/emulator/routes.ts';
import { type FunctionSpec, resolveServerlessHandler } from './function-spec.ts';

/** The Framework's defaults where a service does not say (Serverless Framework v3 docs). */
const SERVERLESS_DEFAULT_TIMEOUT_S = 6;
const SERVERLESS_DEFAULT_MEMORY_MB = 1024;

export interface ServerlessRoute {
  key: string;
  function: FunctionSpec;
  /** `routeResponseSelectionExpression: $default` on the event: the route is two-way. */
  routeResponse: boolean;
}

/** What `emulate --serverless` takes from a Serverless Framework service: its WebSocket API. */
export interface ServerlessWebSocketApi {
  service: string;
  selectionExpression: string;
  routes: ServerlessRoute[];
  /** `provider.environment` and each function's `environment`, literal values only. */
  environment: Record<string, string>;
  /** What was left out, said to the user once (unresolved variables, non-websocket functions...). */
  notes: string[];
}

type Node = Record<string, unknown>;

function isObject(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Framework variable (`${self:...}`, `${opt:...}`, `${env:...}`) this reader does not resolve. */
function hasVariable(value: string): boolean {
  return value.includes('${');
}

/**
 * Reads the `websocket` events of a Serverless Framework service (serverless.yml): each function's handler,
 * its route keys, which routes are two-way, `provider.websocketsApiRouteSelectionExpression`, and timeouts
 * and memory (function, else provider, else the Framework's defaults). Variables are not resolved: a value
 * that needs one is refused with a message, except in `environment`, where it is left out and noted.
 * CloudFormation tags (`!Ref`, `!GetAtt`...) parse as plain values and are never needed here.
 */
export async function readServerlessService(path: string): Promise<ServerlessWebSocketApi> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`${path}: no such file`);
  }
  const document = parseDocument(text, { logLevel: 'silent', uniqueKeys: false });
  const first = document.errors[0];
  if (first) {
    const place = first.linePos?.[0];
    throw new Error(`${path}${place ? `:${place.line}:${place.col}` : ''}: ${first.message.split('\n')[0]}`);
  }
  const root: unknown = document.toJS();
  if (!isObject(root)) throw new Error(`${path}: not a Serverless service (no mapping at the top)`);
  const serviceDir = dirname(file);
  const service = typeof root.service === 'string' ? root.service : 'service';
  const provider = isObject(root.provider) ? root.provider : {};
  const stage = typeof provider.stage === 'string' && !hasVariable(provider.stage) ? provider.stage : 'dev';
  const notes: string[] = [];
  const selection = provider.websocketsApiRouteSelectionExpression;
  if (selection !== undefined && (typeof selection !== 'string' || hasVariable(selection))) {
    throw new Error(`${path}: provider.websocketsApiRouteSelectionExpression must be a literal string`);
  }
  const environment: Record<string, string> = {};
  const addEnvironment = (values: unknown, where: string) => {
    if (!isObject(values)) return;
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === 'number' || typeof value === 'boolean') environment[name] = String(value);
      else if (typeof value === 'string' && !hasVariable(value)) environment[name] = value;
      else notes.push(`${where}.environment.${name} is not a literal: left unset`);
    }
  };
  addEnvironment(provider.environment, 'provider');

  const routes: ServerlessRoute[] = [];
  const functions = isObject(root.functions) ? root.functions : {};
  for (const [key, definition] of Object.entries(functions)) {
    if (!isObject(definition)) continue;
    const events = Array.isArray(definition.events) ? definition.events : [];
    const websocketEvents = events.filter((event): event is Node => isObject(event) && 'websocket' in event);
    if (websocketEvents.length === 0) continue;
    if (typeof definition.handler !== 'string' || hasVariable(definition.handler)) {
      throw new Error(`${path}: functions.${key}.handler must be a literal PATH.EXPORT`);
    }
    const { file: moduleFile, exportName } = resolveServerlessHandler(definition.handler, serviceDir);
    const seconds = numberSetting(definition.timeout ?? provider.timeout, SERVERLESS_DEFAULT_TIMEOUT_S);
    const spec: FunctionSpec = {
      // The Framework names functions {service}-{stage}-{key} unless told otherwise.
      name:
        typeof definition.name === 'string' && !hasVariable(definition.name)
          ? definition.name
          : `${service}-${stage}-${key}`,
      file: moduleFile,
      exportName,
      timeoutMs: seconds * 1000,
      memoryLimitInMB: numberSetting(
        definition.memorySize ?? provider.memorySize,
        SERVERLESS_DEFAULT_MEMORY_MB,
      ),
    };
    addEnvironment(definition.environment, `functions.${key}`);
    for (const event of websocketEvents) {
      const websocket = event.websocket;
      const settings =
        typeof websocket === 'string' ? { route: websocket } : isObject(websocket) ? websocket : {};
      if (typeof settings.route !== 'string' || settings.route === '') {
        throw new Error(`${path}: functions.${key} has a websocket event without a route`);
      }
      routes.push({
        key: settings.route,
        function: spec,
        routeResponse: settings.routeResponseSelectionExpression === '$default',
      });
    }
  }
  if (routes.length === 0) throw new Error(`${path}: no function has a websocket event`);
  const duplicate = routes.find(
    (route, index) => routes.findIndex((other) => other.key === route.key) !== index,
  );
  if (duplicate) throw new Error(`${path}: route ${duplicate.key} is given to two functions`);
  return {
    service,
    selectionExpression: typeof selection === 'string' ? selection : DEFAULT_ROUTE_SELECTION_EXPRESSION,
    routes,
    environment,
    notes,
  };
}

function numberSetting(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
