/**
 * The web console end to end, in Debian's Chromium driven by playwright-core: the real `topicsocket dev`
 * process serves the page; one tab subscribes, another publishes; the server is killed (SIGKILL) and started
 * again on the same port, and the subscribing tab reconnects, resubscribes and receives a message published
 * after the restart. Saves a screenshot: to docs/console.png with UPDATE_CONSOLE_SCREENSHOT=1 (the README
 * shows it), to the temp directory otherwise, so a test run leaves the working tree clean.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = process.env.UPDATE_CONSOLE_SCREENSHOT
  ? join(ROOT, 'docs/console.png')
  : join(tmpdir(), 'topicsocket-console.png');
/** Generous for a loaded 2-core machine; each wait ends as soon as its condition holds. */
const WAIT = { timeout: 10_000 };

interface RunningServer {
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
  output: string[];
}

/** Starts `topicsocket dev` as a child process in open dev mode; resolves once it prints its URL. */
function startServer(port: number): Promise<RunningServer> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TOPICSOCKET_') && name !== 'PORT'),
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'dev', '--port', String(port), '--log-level', 'warn'],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /WebSocket URL\s+ws:\/\/127\.0\.0\.1:(\d+)/.exec(output.join(''));
      if (match) resolve({ child, port: Number(match[1]), exited, output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => reject(new Error(`topicsocket dev exited early:\n${output.join('')}`)));
  });
}

async function kill(server: RunningServer | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGKILL');
  await server.exited;
}

async function openConsole(context: BrowserContext, port: number): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.locator('#connection-status[data-state="connected"]').waitFor(WAIT);
  expect(errors).toEqual([]);
  return page;
}

async function publish(page: Page, topic: string, text: string, format: 'JSON' | 'Text' = 'JSON') {
  await page.getByLabel('Topic to publish to').fill(topic);
  await page.getByLabel(format, { exact: true }).check();
  const message = page.getByLabel('Message', { exact: true });
  await message.fill(text);
  // The keyboard shortcut, so the test also proves the form works without a mouse.
  await message.press('Control+Enter');
  await page
    .locator('#publish-result[data-kind="ok"]')
    .filter({ hasText: `Published to ${topic}` })
    .waitFor(WAIT);
}

function messageRow(page: Page, topic: string, data: string) {
  return page.locator('#message-rows tr').filter({ hasText: topic }).filter({ hasText: data });
}

describe.skipIf(!existsSync(CHROMIUM))('web console in Chromium', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startServer(0),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      }),
    ]);
  });

  afterAll(async () => {
    // Both, whatever failed: a browser that will not close must not keep the server alive, or the reverse.
    await Promise.allSettled([
      browser
        ? Promise.race([browser.close(), new Promise((resolve) => setTimeout(resolve, 5_000))])
        : undefined,
      kill(server),
    ]);
  });

  it('subscribes in one tab, publishes from another, and survives a server restart', {
    timeout: 60_000,
  }, async () => {
    const running = server as RunningServer;
    const port = running.port;
    const context = await (browser as Browser).newContext({ viewport: { width: 1280, height: 800 } });
    const [subscriber, publisher] = await Promise.all([
      openConsole(context, port),
      openConsole(context, port),
    ]);

    for (const topic of ['demo/chat', 'demo/orders']) {
      await subscriber.getByLabel('Topic to subscribe to').fill(topic);
      await subscriber.getByRole('button', { name: 'Subscribe', exact: true }).click();
      await subscriber.locator(`.chip[data-topic="${topic}"][data-state="live"]`).waitFor(WAIT);
    }

    await publish(publisher, 'demo/chat', '{"user": "ada", "text": "hello from the other tab"}');
    await messageRow(subscriber, 'demo/chat', '"text":"hello from the other tab"').waitFor(WAIT);
    await publish(publisher, 'demo/orders', '{"id": "o-1042", "total": 42.5}');
    await publish(publisher, 'demo/chat', 'plain text works too', 'Text');
    await messageRow(subscriber, 'demo/chat', 'plain text works too').waitFor(WAIT);
    // The server's figures: two tabs connected, two subscriptions on two topics.
    await subscriber.locator('#stat-connections', { hasText: /^2$/ }).waitFor(WAIT);
    await subscriber.locator('#stat-subscriptions', { hasText: /^2$/ }).waitFor(WAIT);
    await subscriber.locator('#stat-topics', { hasText: /^2$/ }).waitFor(WAIT);

    // Kill the server outright (no close frames), and see the page notice.
    await kill(running);
    await subscriber.locator('#connection-status[data-state="reconnecting"]').waitFor(WAIT);
    await subscriber.locator('.chip[data-topic="demo/chat"][data-state="waiting"]').waitFor(WAIT);

    server = await startServer(port);
    await subscriber.locator('#connection-status[data-state="connected"]').waitFor(WAIT);
    await subscriber.locator('#activity-list li', { hasText: 'Resubscribed to demo/chat' }).waitFor(WAIT);
    await subscriber.locator('.chip[data-topic="demo/chat"][data-state="live"]').waitFor(WAIT);
    await subscriber.locator('#connection-detail', { hasText: 'Reconnects: 1' }).waitFor(WAIT);

    // The new server process knows nothing of the old subscriptions: this arrives only if the page resubscribed.
    await publisher.locator('#connection-status[data-state="connected"]').waitFor(WAIT);
    await publish(publisher, 'demo/chat', '{"user": "grace", "text": "back after the restart"}');
    await messageRow(subscriber, 'demo/chat', '"text":"back after the restart"').waitFor(WAIT);
    await subscriber.locator('#stat-subscriptions', { hasText: /^2$/ }).waitFor(WAIT);
    expect(await subscriber.locator('#message-count').textContent()).toBe('4');

    await subscriber
      .locator('#message-rows tr.fresh')
      .first()
      .evaluate((row) => row.getAnimations()[0]?.finish());
    await subscriber.screenshot({ path: SCREENSHOT, animations: 'disabled' });
    expect(existsSync(SCREENSHOT)).toBe(true);
    await context.close();
  });
});
