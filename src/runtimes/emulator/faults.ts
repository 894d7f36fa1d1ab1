import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Faults the emulator injects on demand, so a handler's error paths run locally: the failures API Gateway
 * produces under load or when clients vanish, which a healthy local run never shows.
 */
export interface FaultSettings {
  /** Share (0 to 1) of `@connections` POSTs answered 410 GoneException, the connection left open. */
  goneShare: number;
  /** Share (0 to 1) of `@connections` POSTs answered 429 LimitExceededException. */
  throttleShare: number;
  /** Milliseconds added before every `@connections` answer. */
  latencyMs: number;
  /** Share (0 to 1) of client messages on which the connection is dropped instead (the client sees 1006). */
  disconnectShare: number;
}

export const noFaults: FaultSettings = { goneShare: 0, throttleShare: 0, latencyMs: 0, disconnectShare: 0 };

const SHARES = ['goneShare', 'throttleShare', 'disconnectShare'] as const;

/** Checks settings from a flag or a request body; throws an Error saying what is wrong. */
export function checkFaults(input: unknown): Partial<FaultSettings> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error('faults are a JSON object');
  }
  const checked: Partial<FaultSettings> = {};
  for (const [name, value] of Object.entries(input)) {
    if (!Object.hasOwn(noFaults, name)) throw new Error(`unknown fault "${name}"`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`${name} must be a number of at least 0`);
    }
    if ((SHARES as readonly string[]).includes(name) && value > 1)
      throw new Error(`${name} is a share, 0 to 1`);
    checked[name as keyof FaultSettings] = value;
  }
  if ((checked.goneShare ?? 0) + (checked.throttleShare ?? 0) > 1) {
    throw new Error('goneShare and throttleShare add up to more than 1');
  }
  return checked;
}

export type PostFault =
  | { status: 410; type: 'GoneException' }
  | { status: 429; type: 'LimitExceededException' };

export class FaultInjector {
  private settings: FaultSettings;

  constructor(
    settings: Partial<FaultSettings> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.settings = { ...noFaults, ...checkFaults(settings) };
  }

  get current(): FaultSettings {
    return { ...this.settings };
  }

  /** Replaces the named settings (the others are kept); throws on bad input, changing nothing. */
  update(input: unknown): FaultSettings {
    const next = { ...this.settings, ...checkFaults(input) };
    if (next.goneShare + next.throttleShare > 1)
      throw new Error('goneShare and throttleShare add up to more than 1');
    this.settings = next;
    return this.current;
  }

  /** The failure a POST gets instead of being delivered, if one is drawn. */
  postFault(): PostFault | undefined {
    const { goneShare, throttleShare } = this.settings;
    if (goneShare === 0 && throttleShare === 0) return undefined;
    const draw = this.random();
    if (draw < goneShare) return { status: 410, type: 'GoneException' };
    if (draw < goneShare + throttleShare) return { status: 429, type: 'LimitExceededException' };
    return undefined;
  }

  dropsConnection(): boolean {
    return this.settings.disconnectShare > 0 && this.random() < this.settings.disconnectShare;
  }

  /** Waits the configured latency (at once when there is none). */
  delay(): Promise<void> {
    const { latencyMs } = this.settings;
    if (latencyMs === 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, latencyMs).unref());
  }
}

const FAULTS_PATH = '/@emulator/faults';
/** Bodies of fault updates are a few fields: anything longer is refused. */
const MAX_BODY = 4096;

/**
 * `GET /@emulator/faults` answers the settings, `PUT` (or `POST`) with a JSON object of some of them changes
 * those. Local only: not part of API Gateway. Returns false for other paths.
 */
export function handleFaultsRequest(
  request: IncomingMessage,
  response: ServerResponse,
  faults: FaultInjector,
): boolean {
  const path = (request.url ?? '/').split('?', 1)[0] as string;
  if (path !== FAULTS_PATH) return false;
  const answer = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (request.method === 'GET') {
    answer(200, faults.current);
    return true;
  }
  if (request.method !== 'PUT' && request.method !== 'POST') {
    answer(405, { message: 'use GET or PUT' });
    return true;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY) request.socket.destroy();
    else chunks.push(chunk);
  });
  request.on('error', () => request.socket.destroy());
  request.on('end', () => {
    try {
      answer(200, faults.update(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    } catch (error) {
      answer(400, { message: error instanceof Error ? error.message : String(error) });
    }
  });
  return true;
}
