import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { checkFaults, type FaultSettings } from '../../runtimes/emulator/faults.ts';
import { ApiGatewayEmulator, type EmulatorLimits } from '../../runtimes/emulator/index.ts';
import { type LambdaFunction, lambdaHandler } from '../../runtimes/emulator/lambda-function.ts';
import {
  DEFAULT_ROUTE_SELECTION_EXPRESSION,
  type RouteDefinition,
  type RouteTable,
  selectionPath,
} from '../../runtimes/emulator/routes.ts';
import { ConsoleLogger } from '../../runtimes/local/console-logger.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../runtimes/local/defaults.ts';
import {
  type FunctionSpec,
  MissingExportError,
  parseHandlerFlag,
  pickExport,
} from '../emulate/function-spec.ts';
import { readServerlessService } from '../emulate/serverless-service.ts';
import { CliFailure, listenFailure } from '../failures.ts';
import { type CliIo, type Command, ExitCodes, UsageError } from '../io.ts';
import { logLevelOption } from '../log-level.ts';
import { resolvePort } from '../port.ts';
import {
  loadUserModule,
  type UserModule,
  UserModuleError,
  type UserModuleWatcher,
  watchUserModule,
} from '../user-module.ts';

/** Lambda's own defaults for a function configured with nothing. */
const LAMBDA_DEFAULT_TIMEOUT_S = 3;
const LAMBDA_DEFAULT_MEMORY_MB = 128;

const usage = `Usage: topicsocket emulate (--handler FILE[#EXPORT] | --route KEY=FILE[#EXPORT]... | --serverless FILE) [options]

Runs any API Gateway WebSocket Lambda behind a local emulator of API Gateway: AWS-shaped connection ids,
request contexts, the @connections management API (AWS SDK v3 works against it), limits and timers.

Functions:
  --handler FILE[#EXPORT]    one function for $connect, $disconnect and $default (export default: handler)
  --route KEY=FILE[#EXPORT]  a route to its own function (repeatable); KEY is $connect, $disconnect,
                             $default or a custom route key
  --route-response KEY       make route KEY two-way: the function's body is sent back (repeatable)
  --serverless FILE          the websocket functions of a Serverless Framework service (serverless.yml)
  --route-selection EXPR     route selection expression (default: ${DEFAULT_ROUTE_SELECTION_EXPRESSION})
  --timeout SECONDS          function timeout (default: ${LAMBDA_DEFAULT_TIMEOUT_S}, or the service's)
  --memory MB                context.memoryLimitInMB (default: ${LAMBDA_DEFAULT_MEMORY_MB}, or the service's)
  --no-reload                do not reload the code when a file changes

Emulator:
  -p, --port N               port (default: $PORT, else ${DEFAULT_PORT}; 0 picks a free port)
  -H, --host HOST            interface (default: ${DEFAULT_HOST})
  --stage NAME               stage in events and in the @connections path (default: local)
  --idle-timeout MS          close idle connections after this long (default: API Gateway's 10 minutes)
  --max-duration MS          close every connection after this long (default: API Gateway's 2 hours)
  --log-level LEVEL          debug, info (default), warn or error; also $LOG_LEVEL

Faults (also GET/PUT http://HOST:PORT/@emulator/faults with a JSON object of these names):
  --fault-gone SHARE         share (0-1) of @connections posts answered 410 GoneException (goneShare)
  --fault-throttle SHARE     share answered 429 LimitExceededException (throttleShare)
  --fault-latency MS         added before every @connections answer (latencyMs)
  --fault-disconnect SHARE   share of client messages on which the connection is dropped (disconnectShare)
  -h, --help                 show this help

Unset AWS_REGION and credentials are set to local values, and IS_OFFLINE=true as serverless-offline does.
More: docs/local-runtime.md#emulating-any-lambda.`;

interface RouteChoice {
  key: string;
  function: FunctionSpec;
  routeResponse: boolean;
}

export const emulateCommand: Command = {
  name: 'emulate',
  summary: 'run any API Gateway WebSocket Lambda behind the local emulator',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        handler: { type: 'string' },
        route: { type: 'string', multiple: true },
        'route-response': { type: 'string', multiple: true },
        serverless: { type: 'string' },
        'route-selection': { type: 'string' },
        timeout: { type: 'string' },
        memory: { type: 'string' },
        'no-reload': { type: 'boolean' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string', short: 'H', default: DEFAULT_HOST },
        stage: { type: 'string', default: 'local' },
        'idle-timeout': { type: 'string' },
        'max-duration': { type: 'string' },
        'log-level': { type: 'string' },
        'fault-gone': { type: 'string' },
        'fault-throttle': { type: 'string' },
        'fault-latency': { type: 'string' },
        'fault-disconnect': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(usage);
      return ExitCodes.ok;
    }
    const cwd = process.cwd();
    const port = resolvePort(values.port, io.env);
    const level = logLevelOption(values['log-level'], io.env);
    const faults = faultFlags(values);
    const limits = timerFlags(values);
    const sources = [values.handler, values.route?.length ? values.route : undefined, values.serverless];
    if (sources.filter((source) => source !== undefined).length !== 1) {
      throw new UsageError('give exactly one of --handler, --route or --serverless');
    }

    // ---- which functions serve which routes ----
    let choices: RouteChoice[];
    let selectionExpression = values['route-selection'] ?? DEFAULT_ROUTE_SELECTION_EXPRESSION;
    const environment: Record<string, string> = {};
    const notes: string[] = [];
    const timeoutMs = secondsFlag('timeout', values.timeout);
    const memory = positiveInteger('memory', values.memory);
    if (values.serverless !== undefined) {
      let api: Awaited<ReturnType<typeof readServerlessService>>;
      try {
        api = await readServerlessService(values.serverless);
      } catch (error) {
        throw new CliFailure(error instanceof Error ? error.message : String(error));
      }
      if (values['route-selection'] === undefined) selectionExpression = api.selectionExpression;
      choices = api.routes.map((route) => ({
        key: route.key,
        routeResponse: route.routeResponse || (values['route-response'] ?? []).includes(route.key),
        function: {
          ...route.function,
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          ...(memory !== undefined ? { memoryLimitInMB: memory } : {}),
        },
      }));
      Object.assign(environment, api.environment);
      notes.push(...api.notes);
    } else {
      const given: Array<[string, string]> =
        values.handler !== undefined
          ? ['$connect', '$disconnect', '$default'].map((key) => [key, values.handler as string])
          : (values.route ?? []).map(routeFlag);
      const twoWay = new Set(values['route-response'] ?? []);
      choices = given.map(([key, target]) => {
        let parsed: { file: string; exportName: string };
        try {
          parsed = parseHandlerFlag(target, cwd);
        } catch (error) {
          throw new UsageError(error instanceof Error ? error.message : String(error));
        }
        return {
          key,
          routeResponse: twoWay.has(key),
          function: {
            name:
              parsed.exportName === 'handler'
                ? baseName(parsed.file)
                : `${baseName(parsed.file)}-${parsed.exportName}`,
            ...parsed,
            timeoutMs: timeoutMs ?? LAMBDA_DEFAULT_TIMEOUT_S * 1000,
            memoryLimitInMB: memory ?? LAMBDA_DEFAULT_MEMORY_MB,
          },
        };
      });
      const keys = choices.map((choice) => choice.key);
      const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
      if (repeated) throw new UsageError(`route ${repeated} is given twice`);
      for (const key of twoWay) {
        if (!keys.includes(key)) throw new UsageError(`--route-response ${key}: there is no route ${key}`);
      }
    }
    try {
      selectionPath(selectionExpression);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }

    // ---- the Lambda environment, then the code ----
    const restoreEnvironment = lambdaEnvironment(environment);
    const logger = new ConsoleLogger({ level, write: io.out, color: io.colors === true });
    const files = [...new Set(choices.map((choice) => choice.function.file))];
    const modules = new Map<string, UserModule>();
    const watchers: UserModuleWatcher[] = [];
    let emulator: ApiGatewayEmulator | undefined;
    const stopAll = async () => {
      for (const watcher of watchers) watcher.close();
      await emulator?.close();
      restoreEnvironment();
    };
    try {
      for (const file of files) {
        if (values['no-reload']) {
          modules.set(file, await loadUserModule(file, { cwd }));
          continue;
        }
        const watcher = await watchUserModule(file, {
          cwd,
          onReload: (module) => {
            // A module that lost a handler is refused (this throws): the previous code stays in use.
            const next = new Map(modules).set(file, module);
            const routes = routeTable(choices, next, selectionExpression);
            modules.set(file, module);
            emulator?.useRoutes(routes);
            io.out(`reloaded ${relative(cwd, file) || file}; open connections kept`);
          },
          onError: (error) => io.err(`topicsocket emulate: not reloaded: ${error.message}`),
        });
        watchers.push(watcher);
        modules.set(file, watcher.current);
      }
      emulator = new ApiGatewayEmulator({
        routes: routeTable(choices, modules, selectionExpression),
        logger,
        stage: values.stage,
        // API Gateway fails a post to a client that does not read (429); it never sends frames of its own.
        limits: { ...limits, disconnectSlowConsumers: false },
        faults,
      });
      await emulator.listen(port, values.host);
    } catch (error) {
      await stopAll();
      if (error instanceof UserModuleError) throw new CliFailure(error.message);
      if (error instanceof MissingExportError) throw new CliFailure(error.message);
      throw listenFailure(error, values.host, port) ?? error;
    }

    const { domainName } = emulator;
    io.out(`topicsocket emulate: API Gateway WebSocket emulator (stage "${values.stage}")`);
    io.out(`  WebSocket URL        ws://${domainName}`);
    io.out(`  @connections API     http://${domainName}/${values.stage}  (the SDK's endpoint)`);
    io.out(`  route selection      ${selectionExpression}`);
    for (const choice of choices) {
      const where = `${relative(cwd, choice.function.file) || choice.function.file}#${choice.function.exportName}`;
      io.out(
        `  route ${choice.key.padEnd(14)} ${where} (${choice.function.timeoutMs / 1000} s, ${choice.function.memoryLimitInMB} MB${choice.routeResponse ? ', two-way' : ''})`,
      );
    }
    if (!choices.some((choice) => choice.key === '$default')) {
      io.out('  no $default          unmatched messages get {"message":"Forbidden",...}, as on AWS');
    }
    io.out(`  faults               ${describeFaults(emulator.faults.current)}`);
    io.out(`  reload               ${values['no-reload'] ? 'off' : 'on change, connections kept open'}`);
    for (const note of notes) io.out(`  note                 ${note}`);
    io.out('Press Ctrl-C to stop.');

    const signal = await io.untilStopped();
    io.out(`${signal}: closing ${emulator.connectionCount} connection(s) with 1001 (going away)`);
    await stopAll();
    return ExitCodes.ok;
  },
};

/** The route table from the loaded modules; throws when a module lacks a handler it should export. */
function routeTable(
  choices: readonly RouteChoice[],
  modules: ReadonlyMap<string, UserModule>,
  selectionExpression: string,
): RouteTable {
  const routes: Record<string, RouteDefinition> = {};
  for (const choice of choices) {
    const spec = choice.function;
    const module = modules.get(spec.file);
    if (!module) throw new Error(`${spec.file} is not loaded`);
    const fn = pickExport(module.exports, spec.exportName, relative(process.cwd(), spec.file) || spec.file);
    routes[choice.key] = {
      handler: lambdaHandler(fn as unknown as LambdaFunction, {
        functionName: spec.name,
        timeoutMs: spec.timeoutMs,
        memoryLimitInMB: spec.memoryLimitInMB,
      }),
      routeResponse: choice.routeResponse,
    };
  }
  return { selectionExpression, routes };
}

/**
 * What the Lambda runtime puts in every function's environment and a local SDK client needs: a region and
 * credentials (the emulator does not check signatures), set only where the user's environment has none,
 * plus the service's own variables and IS_OFFLINE (serverless-offline's flag, which handlers already test to
 * pick a local endpoint). Returns the function that puts the environment back.
 */
function lambdaEnvironment(variables: Record<string, string>): () => void {
  const defaults: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    IS_OFFLINE: 'true',
  };
  const saved = new Map<string, string | undefined>();
  const set = (name: string, value: string) => {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    process.env[name] = value;
  };
  for (const [name, value] of Object.entries(defaults)) if (process.env[name] === undefined) set(name, value);
  for (const [name, value] of Object.entries(variables)) set(name, value);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    saved.clear();
  };
}

function routeFlag(value: string): [string, string] {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new UsageError(`--route takes KEY=FILE[#EXPORT], not "${value}"`);
  return [value.slice(0, equals), value.slice(equals + 1)];
}

function baseName(file: string): string {
  return (file.split(/[\\/]/).at(-1) ?? file).replace(/\.[^.]+$/, '');
}

function faultFlags(values: Record<string, unknown>): Partial<FaultSettings> {
  const flags: Array<[string, keyof FaultSettings]> = [
    ['fault-gone', 'goneShare'],
    ['fault-throttle', 'throttleShare'],
    ['fault-latency', 'latencyMs'],
    ['fault-disconnect', 'disconnectShare'],
  ];
  const faults: Record<string, number> = {};
  for (const [flag, name] of flags) {
    const value = values[flag];
    if (typeof value !== 'string') continue;
    if (value.trim() === '') throw new UsageError(`--${flag} takes a number`);
    faults[name] = Number(value);
  }
  try {
    return checkFaults(faults);
  } catch (error) {
    throw new UsageError(
      error instanceof Error ? error.message.replace(/^(\w+)/, (name) => flagOf(name)) : String(error),
    );
  }
}

function flagOf(name: string): string {
  const flags: Record<string, string> = {
    goneShare: '--fault-gone',
    throttleShare: '--fault-throttle',
    latencyMs: '--fault-latency',
    disconnectShare: '--fault-disconnect',
  };
  return flags[name] ?? name;
}

function describeFaults(faults: FaultSettings): string {
  const parts: string[] = [];
  if (faults.goneShare > 0) parts.push(`${faults.goneShare * 100}% of posts 410`);
  if (faults.throttleShare > 0) parts.push(`${faults.throttleShare * 100}% of posts 429`);
  if (faults.latencyMs > 0) parts.push(`+${faults.latencyMs} ms per @connections call`);
  if (faults.disconnectShare > 0)
    parts.push(`${faults.disconnectShare * 100}% of messages drop the connection`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function timerFlags(values: Record<string, unknown>): Partial<EmulatorLimits> {
  const limits: Partial<EmulatorLimits> = {};
  const idle = positiveInteger('idle-timeout', values['idle-timeout'] as string | undefined);
  const duration = positiveInteger('max-duration', values['max-duration'] as string | undefined);
  if (idle !== undefined) limits.idleTimeoutMs = idle;
  if (duration !== undefined) limits.maxConnectionDurationMs = duration;
  return limits;
}

function positiveInteger(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0 || value.trim() === '') {
    throw new UsageError(`--${option} takes a positive whole number, not "${value}"`);
  }
  return number;
}

function secondsFlag(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  // Lambda allows 1 to 900 seconds.
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 900 || value.trim() === '') {
    throw new UsageError(`--${option} takes seconds, more than 0 and at most 900, not "${value}"`);
  }
  return Math.round(seconds * 1000);
}
