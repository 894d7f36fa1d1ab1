/**
 * A steady publish load: `perSecond` publishes spread over `topics` and over the publishers, each retried
 * until acknowledged. The local server handles one connection's frames one after the other (as a client
 * would see from one socket), so the load uses many publishers at a few publishes per second each: a
 * publish slowed by throttling retries (the SDK backs off up to seconds) then delays only its own socket.
 */
import { FramesClient } from './frames-client.ts';
import { type Ledger, subscribeAll } from './ledger.ts';

export async function steadyPublishes(options: {
  publishers: readonly FramesClient[];
  topics: readonly string[];
  perSecond: number;
  seconds: number;
  ledger: Ledger;
  label: string;
  /** Retry pacing for retryable errors (long outages need more patience). */
  retry?: { delayMs: number; maxAttempts: number };
  /** Called every second with the seconds elapsed (for fault schedules). */
  onSecond?: (second: number) => void | Promise<void>;
}): Promise<void> {
  const inFlight: Promise<void>[] = [];
  const intervalMs = 1000 / options.perSecond;
  const started = Date.now();
  let sent = 0;
  let second = 0;
  while (Date.now() - started < options.seconds * 1000) {
    const due = Math.floor((Date.now() - started) / intervalMs);
    while (sent < due) {
      const publisher = options.publishers[sent % options.publishers.length]!;
      const topic = options.topics[sent % options.topics.length]!;
      inFlight.push(
        options.ledger.publish(
          publisher,
          topic,
          `${options.label}-${sent}`,
          options.retry?.delayMs,
          options.retry?.maxAttempts,
        ),
      );
      sent++;
    }
    const elapsed = Math.floor((Date.now() - started) / 1000);
    while (second < elapsed) {
      second++;
      await options.onSecond?.(second);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, intervalMs / 2)));
  }
  await Promise.all(inFlight);
}

/** Publisher connections of every soak load: 2 publishes per second each at the default rates. */
export function publisherSlots(count = 20): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

/**
 * The load's connections on `url`: `count` subscribers of every topic (subscribed, retrying retryable
 * errors) and the publishers; all are added to `clients` for the caller to close.
 */
export async function openLoad(
  url: string,
  count: number,
  topics: readonly string[],
  clients: FramesClient[],
) {
  const counts = { attempts: 0, retryableErrors: 0, failed: 0, connectRetries: 0 };
  const subscribers = await Promise.all(
    Array.from({ length: count }, async () => {
      const subscriber = await openRetrying(url, counts);
      clients.push(subscriber);
      await subscribeAll(subscriber, topics, counts);
      return { client: subscriber, topics };
    }),
  );
  const publishers = await Promise.all(publisherSlots().map(() => openRetrying(url, counts)));
  clients.push(...publishers);
  return { subscribers, publishers, counts };
}

/**
 * Opens a connection as the SDK does: an upgrade refused with a 5xx (a `$connect` whose store write was
 * throttled past the SDK's own retries) is retried with backoff and counted, never taken as a finding.
 */
async function openRetrying(url: string, counts: { connectRetries: number }): Promise<FramesClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await FramesClient.open(url);
    } catch (error) {
      const refused = error instanceof Error && /^upgrade refused: 5\d\d$/.test(error.message);
      if (!refused || attempt >= 5) throw error;
      counts.connectRetries++;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}
