/**
 * "A local server" for tests: `startLocalServer` (the public entry point) on an ephemeral port, with the
 * clients a test opens on it. Closing the fixture closes those clients, then the server. Three ways in:
 * `startTestLocalServer()` (close it, or `await using`), `localServerForFile()` (beforeAll/afterAll) and
 * `localServerPerTest()` (each test starts its own; afterEach closes it).
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type LocalServer,
  type LocalServerOptions,
  startLocalServer,
} from '../../src/runtimes/local/index.ts';
import { TestClient } from '../runtimes/local/client.ts';
import { type Closable, Closer } from './closing.ts';

export interface OpenOptions {
  /** Appended to the server's URL, e.g. `/?token=abc`. */
  path?: string;
  headers?: Record<string, string>;
  protocols?: string | string[];
}

export interface TestLocalServer extends AsyncDisposable {
  readonly server: LocalServer;
  /** A `ws` test client on the server, closed before the server. */
  open(options?: OpenOptions): Promise<TestClient>;
  /** Closes `resource` (a probe, an SDK client) before the server. */
  track<T extends Closable>(resource: T): T;
  close(): Promise<void>;
}

export async function startTestLocalServer(options: LocalServerOptions = {}): Promise<TestLocalServer> {
  const closer = new Closer();
  const server = await startLocalServer({ port: 0, ...options });
  closer.defer(() => server.close());
  const close = () => closer.close();
  return {
    server,
    open: async ({ path = '', headers, protocols } = {}) =>
      closer.track(await TestClient.open(`${server.url}${path}`, headers ? { headers } : {}, protocols)),
    track: (resource) => closer.track(resource),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The fixture's surface once a hook has started it; reading it before throws. */
export interface LocalServerHandle {
  readonly server: LocalServer;
  open(options?: OpenOptions): Promise<TestClient>;
  track<T extends Closable>(resource: T): T;
}

function handle(current: () => TestLocalServer | undefined, when: string): LocalServerHandle {
  const started = () => {
    const fixture = current();
    if (!fixture) throw new Error(`the local server is started ${when}`);
    return fixture;
  };
  return {
    get server() {
      return started().server;
    },
    open: (options) => started().open(options),
    track: (resource) => started().track(resource),
  };
}

/** One server for the whole file (or describe block): started in beforeAll, closed in afterAll. */
export function localServerForFile(options: LocalServerOptions = {}): LocalServerHandle {
  let fixture: TestLocalServer | undefined;
  beforeAll(async () => {
    fixture = await startTestLocalServer(options);
  });
  afterAll(() => fixture?.close());
  return handle(() => fixture, 'in beforeAll');
}

/** A server per test, configured by the test: `start(options)` (over `defaults`); afterEach closes it. */
export function localServerPerTest(
  defaults: LocalServerOptions = {},
): LocalServerHandle & { start(options?: LocalServerOptions): Promise<LocalServer> } {
  let fixture: TestLocalServer | undefined;
  afterEach(async () => {
    const closing = fixture;
    fixture = undefined;
    await closing?.close();
  });
  return Object.assign(
    handle(() => fixture, 'by start()'),
    {
      async start(options: LocalServerOptions = {}) {
        await fixture?.close();
        fixture = await startTestLocalServer({ ...defaults, ...options });
        return fixture.server;
      },
    },
  );
}
