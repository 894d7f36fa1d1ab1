import { parseArgs } from 'node:util';
import { type AuthConfig, AuthConfigError, loadAuthConfig } from '../../core/auth/index.ts';
import { EnvReader } from '../../core/index.ts';
import { ApiGatewayLimits } from '../../protocol/index.ts';
import {
  ConsoleLogger,
  DEFAULT_HOST,
  DEFAULT_PORT,
  type EmulatorLimits,
  startLocalServer,
} from '../../runtimes/local/index.ts';
import { devLimits, limitArgs, limitUsage } from '../dev-config.ts';
import { listenFailure } from '../failures.ts';
import { hooksArgs, hooksUsage, loadDevHooks } from '../hooks-option.ts';
import { type CliIo, type Command, ExitCodes, UsageError } from '../io.ts';
import { logLevelOption } from '../log-level.ts';
import { resolvePort } from '../port.ts';
import { createStore, storeArgs, storeUsage } from '../store-option.ts';

const usage = `Usage: topicsocket dev [options]

Runs topicsocket locally behind an emulated API Gateway WebSocket API.

Options:
  -p, --port N        port to listen on (default: $PORT, else ${DEFAULT_PORT}; 0 picks a free port)
  -H, --host HOST     interface to listen on (default: ${DEFAULT_HOST}; 0.0.0.0 for every interface)
${storeUsage}
  --log-level LEVEL   debug, info (default), warn or error; also $LOG_LEVEL
  --idle-timeout MS   close connections idle this long (default: API Gateway's 600000, 10 minutes)
  --max-duration MS   close every connection after this long (default and maximum: API Gateway's 7200000, 2 hours)
  --no-console        do not serve the web console (GET /) and GET /stats
${hooksUsage}
${limitUsage}
  -h, --help          show this help

Shorter timers make the disconnects clients must survive on AWS happen within a test session.
Every variable, for this command and the Lambda: docs/configuration.md.`;

export const devCommand: Command = {
  name: 'dev',
  summary: 'run the local API Gateway WebSocket emulator with the broker',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string', short: 'H', default: DEFAULT_HOST },
        'log-level': { type: 'string' },
        'idle-timeout': { type: 'string' },
        'max-duration': { type: 'string' },
        'no-console': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...limitArgs,
        ...storeArgs,
        ...hooksArgs,
      },
    });
    if (values.help) {
      io.out(usage);
      return ExitCodes.ok;
    }
    const port = resolvePort(values.port, io.env);
    const level = logLevelOption(values['log-level'], io.env);

    const limits: Partial<EmulatorLimits> = {};
    if (values['idle-timeout'] !== undefined)
      limits.idleTimeoutMs = parseMs('idle-timeout', values['idle-timeout']);
    if (values['max-duration'] !== undefined) {
      limits.maxConnectionDurationMs = parseMs('max-duration', values['max-duration']);
      // Connection and subscription records expire 10 minutes after API Gateway's 2-hour cap: a longer
      // connection would outlive its own records and silently stop receiving.
      const cap = ApiGatewayLimits.maxConnectionDurationMs;
      if (limits.maxConnectionDurationMs > cap) {
        throw new UsageError(`--max-duration must be at most ${cap} (API Gateway's 2 hours)`);
      }
    }

    const security = loadSecurity(io.env);
    const configured = devLimits(values, new EnvReader(io.env), io.env, security.publishRate);
    const { fanoutThreshold, history } = configured;
    Object.assign(limits, configured.emulator);
    // Before the store and the port: a hooks module that does not load stops startup with its file and line.
    const hooks = await loadDevHooks(values, io);
    const { store, description } = await createStore(values).catch((error: unknown) => {
      hooks?.close();
      throw error;
    });
    const logger = new ConsoleLogger({ level, write: io.out, color: io.colors === true });
    // Open mode with no API keys leaves the publish API open too: dev only, and said loudly below.
    const publishOpen = security.auth.mode === 'open' && security.apiKeys.length === 0;
    let server: Awaited<ReturnType<typeof startLocalServer>>;
    try {
      server = await startLocalServer({
        port,
        host: values.host,
        store,
        logger,
        limits,
        auth: security.auth,
        publishApi: {
          auth: {
            apiKeys: security.apiKeys,
            ...(security.auth.verifier ? { verifier: security.auth.verifier } : {}),
            ...(security.auth.permissions ? { permissions: security.auth.permissions } : {}),
            open: publishOpen,
          },
        },
        brokerLimits: configured.broker,
        console: values['no-console'] !== true,
        fanout: { settings: { threshold: fanoutThreshold } },
        ...(hooks ? { hooks: hooks.source } : {}),
        ...(hooks?.timeoutMs === undefined ? {} : { hookTimeoutMs: hooks.timeoutMs }),
      });
    } catch (error) {
      hooks?.close();
      await store.close?.();
      throw listenFailure(error, values.host, port) ?? error;
    }
    io.out(`topicsocket dev: local API Gateway WebSocket emulator (stage "local")`);
    if (values['no-console'] !== true) io.out(`  web console          ${server.managementEndpoint}/`);
    io.out(`  WebSocket URL        ${server.url}`);
    io.out(`  @connections API     ${server.managementEndpoint}  (also under /local)`);
    if (values.host === '0.0.0.0' || values.host === '::') {
      io.out(`  listening on         every interface (${values.host}), port ${server.port}`);
    }
    io.out(`  store                ${description}`);
    io.out(
      `  history              ${history ? `${history.maxMessages} messages, ${history.maxAgeSeconds} s per topic` : 'off'}`,
    );
    io.out(`  limits               ${configured.summary}`);
    io.out(`  sharded fan-out      above ${fanoutThreshold} subscribers per topic (in-process workers)`);
    io.out(`  auth                 ${security.summary}`);
    if (hooks) io.out(`  hooks                ${hooks.summary}`);
    io.out(
      `  publish API          POST ${server.managementEndpoint}/publish (${publishOpen ? 'OPEN' : `${security.apiKeys.length} API key(s)${security.auth.verifier ? ' or bearer JWT' : ''}`})`,
    );
    if (security.auth.mode === 'open') {
      io.err('');
      io.err(
        '  !!! AUTH IS OFF: anyone who can reach this server may connect, subscribe and publish to any topic.',
      );
      io.err(
        '  !!! Set TOPICSOCKET_JWT_SECRET (or TOPICSOCKET_JWKS_URL) to require tokens; see docs/security.md.',
      );
      io.err('');
    }
    if (limits.idleTimeoutMs !== undefined || limits.maxConnectionDurationMs !== undefined) {
      io.out(
        `  timers               idle ${limits.idleTimeoutMs ?? 'default'} ms, ` +
          `max duration ${limits.maxConnectionDurationMs ?? 'default'} ms`,
      );
    }
    if (configured.unused.length > 0) io.out(`  not used by dev      ${configured.unused.join(', ')}`);
    io.out('Press Ctrl-C to stop.');

    const signal = await io.untilStopped();
    io.out(`${signal}: closing ${server.connections()} connection(s) with 1001 (going away)`);
    hooks?.close();
    await server.close();
    await store.close?.();
    return ExitCodes.ok;
  },
};

/** Auth from the environment: required as soon as a key source is configured, open (said loudly) otherwise. */
function loadSecurity(env: Record<string, string | undefined>): AuthConfig {
  const keySource = env.TOPICSOCKET_JWT_SECRET || env.TOPICSOCKET_JWKS_URL;
  try {
    return loadAuthConfig(env, keySource ? 'required' : 'open');
  } catch (error) {
    if (error instanceof AuthConfigError) throw new UsageError(error.message);
    throw error;
  }
}

function parseMs(option: string, value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0 || value.trim() === '') {
    throw new UsageError(`--${option} takes a positive number of milliseconds, not "${value}"`);
  }
  return ms;
}
