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
import { hsToken, SECRET } from '../security/support/tokens.ts';
import { requiredInCi } from '../support/system-dependency.ts';

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
function startServer(port: number, settings: Record<string, string> = {}): Promise<RunningServer> {
  const env = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('TOPICSOCKET_') && name !== 'PORT'),
    ),
    ...settings,
  };
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

async function openConsole(context: BrowserContext, port: number, connected = true): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  if (connected) await page.locator('#connection-status[data-state="connected"]').waitFor(WAIT);
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

/** `XvIJ·2` -> `XvIJ`: the epoch part of a position as the page shows it. */
async function epochShown(cell: ReturnType<Page['locator']>): Promise<string> {
  const text = (await cell.textContent()) ?? '';
  expect(text).toMatch(/^[\w-]{4}·\d+$/);
  return text.split('·')[0] as string;
}

/**
 * WCAG AA in the page as rendered: every visible text has a contrast of at least 4.5:1 with the
 * background behind it (3:1 from 24 px, or 18.66 px bold); disabled controls are exempt, as WCAG says.
 * Returns the failures, each as "text: ratio (color on background)".
 */
function contrastFailures(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const parse = (value: string): [number, number, number, number] | undefined => {
      const rgb = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(value);
      if (rgb)
        return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), rgb[4] === undefined ? 1 : Number(rgb[4])];
      const srgb = /color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)(?: \/ ([\d.]+))?\)/.exec(value);
      if (srgb)
        return [
          Number(srgb[1]) * 255,
          Number(srgb[2]) * 255,
          Number(srgb[3]) * 255,
          srgb[4] === undefined ? 1 : Number(srgb[4]),
        ];
      return undefined;
    };
    const blend = (top: number[], bottom: number[]) =>
      [0, 1, 2].map(
        (i) => (top[i] as number) * (top[3] as number) + (bottom[i] as number) * (1 - (top[3] as number)),
      );
    const background = (start: Element): number[] => {
      const layers: number[][] = [];
      for (let node: Element | null = start; node; node = node.parentElement) {
        const color = parse(getComputedStyle(node).backgroundColor);
        if (color && color[3] > 0) {
          layers.push(color);
          if (color[3] >= 1) break;
        }
      }
      let result = [255, 255, 255];
      for (const layer of layers.reverse()) result = blend(layer, result);
      return result;
    };
    const luminance = (rgb: number[]) => {
      const [r, g, b] = rgb.map((channel) => {
        const c = channel / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const failures: string[] = [];
    for (const element of Array.from(document.querySelectorAll('body *'))) {
      const text = Array.from(element.childNodes)
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent ?? '')
        .join('')
        .trim();
      if (!text || !(element instanceof HTMLElement) || element.closest('[hidden], .visually-hidden'))
        continue;
      if (element.closest(':disabled') || element.getClientRects().length === 0) continue;
      const style = getComputedStyle(element);
      if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
      const bg = background(element);
      const fg = parse(style.color);
      if (!fg) continue;
      const color = blend(fg, bg);
      const [light, dark] = [luminance(color), luminance(bg)].sort((a, b) => b - a) as [number, number];
      const ratio = (light + 0.05) / (dark + 0.05);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5))
        failures.push(
          `${text.slice(0, 40)}: ${ratio.toFixed(2)} (${style.color} on rgb(${bg.map(Math.round).join(',')}))`,
        );
    }
    return failures;
  });
}

/** Controls without an accessible name (a label, aria-label or text), by id or tag. */
function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('button, input, textarea, select'))
      .filter((control) => {
        const labelled =
          control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement
            ? (control.labels?.length ?? 0) > 0
            : false;
        return !labelled && !control.getAttribute('aria-label') && !(control.textContent ?? '').trim();
      })
      .map((control) => control.id || control.outerHTML.slice(0, 60)),
  );
}

const hasChromium = requiredInCi('Chromium', existsSync(CHROMIUM), `apt-get install chromium: ${CHROMIUM}`);

describe.skipIf(!hasChromium)('web console in Chromium', () => {
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

    // State-aware buttons: connected, so Connect is off and Disconnect on.
    expect(await subscriber.getByRole('button', { name: 'Connect', exact: true }).isDisabled()).toBe(true);
    expect(await subscriber.getByRole('button', { name: 'Disconnect' }).isEnabled()).toBe(true);

    await publish(publisher, 'demo/chat', '{"user": "ada", "text": "hello from the other tab"}');
    // The ack shows the message's position, epoch included.
    expect(await publisher.locator('#publish-result').textContent()).toMatch(
      /^Published to demo\/chat · [\w-]{4}·1$/,
    );
    // Pretty-printed JSON, two-space indent.
    await messageRow(subscriber, 'demo/chat', '"text": "hello from the other tab"').waitFor(WAIT);
    expect(
      await messageRow(subscriber, 'demo/chat', 'hello from the other tab').locator('pre').textContent(),
    ).toBe('{\n  "user": "ada",\n  "text": "hello from the other tab"\n}');
    await publish(publisher, 'demo/orders', '{"id": "o-1042", "total": 42.5}');
    await publish(publisher, 'demo/chat', 'plain text works too', 'Text');
    await messageRow(subscriber, 'demo/chat', 'plain text works too').waitFor(WAIT);
    // The server's figures: two tabs connected, two subscriptions on two topics.
    await subscriber.locator('#stat-connections', { hasText: /^2$/ }).waitFor(WAIT);
    await subscriber.locator('#stat-subscriptions', { hasText: /^2$/ }).waitFor(WAIT);
    await subscriber.locator('#stat-topics', { hasText: /^2$/ }).waitFor(WAIT);
    // Every offset comes with its epoch: `XvIJ·1`, the same epoch for one topic's messages.
    const chatRows = subscriber.locator('#message-rows tr').filter({ hasText: 'demo/chat' });
    const epochBefore = await epochShown(chatRows.first().locator('td.offset'));
    expect(await chatRows.first().locator('td.offset').textContent()).toBe(`${epochBefore}·2`);
    expect(await chatRows.nth(1).locator('td.offset').textContent()).toBe(`${epochBefore}·1`);

    // The filter: by topic or data, with a count of what it shows.
    const filter = subscriber.getByLabel('Filter messages');
    await filter.fill('ORDERS');
    await subscriber.locator('#message-filter-status', { hasText: '1 of 3 shown' }).waitFor(WAIT);
    expect(await subscriber.locator('#message-rows tr:visible').count()).toBe(1);
    await filter.fill('plain text');
    await subscriber.locator('#message-filter-status', { hasText: '1 of 3 shown' }).waitFor(WAIT);
    await filter.fill('');
    expect(await subscriber.locator('#message-rows tr:visible').count()).toBe(3);

    // The server's topics, with subscribers and positions, and its connections with their subscriptions.
    const chatTopic = subscriber.locator('#server-topic-rows tr[data-key="demo/chat"]');
    await chatTopic.locator('td[data-label="Subscribers"]', { hasText: /^1$/ }).waitFor(WAIT);
    await chatTopic.locator('td[data-label="Position"]', { hasText: `${epochBefore}·2` }).waitFor(WAIT);
    await subscriber
      .locator('#server-topic-rows tr[data-key="demo/orders"] td[data-label="Position"]', { hasText: /·1$/ })
      .waitFor(WAIT);
    await subscriber.locator('#server-connection-count', { hasText: /^2$/ }).waitFor(WAIT);
    const mine = subscriber.locator('#server-connection-rows tr', { hasText: 'demo/chat, demo/orders' });
    await mine.waitFor(WAIT);
    expect(await mine.locator('td[data-label="Identity"]').textContent()).toBe('anonymous');
    expect(await mine.locator('td[data-label="Connection"]').textContent()).toMatch(/^[A-Za-z0-9+/_-]{15}=$/);

    // History on demand, from the keyboard: Enter on the button, focus moves to the card, Escape closes it.
    const historyButton = subscriber.getByRole('button', { name: 'History of demo/chat' });
    await historyButton.focus();
    await subscriber.keyboard.press('Enter');
    const historyItems = subscriber.locator('#history-list li');
    await historyItems.nth(1).waitFor(WAIT);
    expect(await historyItems.count()).toBe(2);
    expect(await historyItems.first().textContent()).toContain(`${epochBefore}·1`);
    expect(await historyItems.first().locator('pre').textContent()).toContain('\n  "user": "ada",');
    expect(await subscriber.evaluate(() => document.activeElement?.id)).toBe('history-heading');
    await subscriber.keyboard.press('Escape');
    await subscriber.locator('#history-card').waitFor({ state: 'hidden', ...WAIT });
    expect(await historyButton.evaluate((button) => document.activeElement === button)).toBe(true);

    expect(await unnamedControls(subscriber)).toEqual([]);
    expect(await contrastFailures(subscriber)).toEqual([]);

    // Kill the server outright (no close frames), and see the page notice.
    await kill(running);
    await subscriber.locator('#connection-status[data-state="reconnecting"]').waitFor(WAIT);
    expect(await subscriber.getByRole('button', { name: 'Connect', exact: true }).isDisabled()).toBe(true);
    await subscriber.locator('.chip[data-topic="demo/chat"][data-state="waiting"]').waitFor(WAIT);

    server = await startServer(port);
    await subscriber.locator('#connection-status[data-state="connected"]').waitFor(WAIT);
    await subscriber.locator('#activity-list li', { hasText: 'Resubscribed to demo/chat' }).waitFor(WAIT);
    await subscriber.locator('.chip[data-topic="demo/chat"][data-state="live"]').waitFor(WAIT);
    await subscriber.locator('#connection-detail', { hasText: 'Reconnects: 1' }).waitFor(WAIT);

    // The new server process knows nothing of the old subscriptions: this arrives only if the page resubscribed.
    await publisher.locator('#connection-status[data-state="connected"]').waitFor(WAIT);
    await publish(publisher, 'demo/chat', '{"user": "grace", "text": "back after the restart"}');
    const after = messageRow(subscriber, 'demo/chat', '"text": "back after the restart"');
    await after.waitFor(WAIT);
    await subscriber.locator('#stat-subscriptions', { hasText: /^2$/ }).waitFor(WAIT);
    expect(await subscriber.locator('#message-count').textContent()).toBe('4');
    // A new process, a new epoch: offsets start again, and the label says they belong to another stream.
    const epochAfter = await epochShown(after.locator('td.offset'));
    expect(epochAfter).not.toBe(epochBefore);
    await chatTopic.locator('td[data-label="Position"]', { hasText: `${epochAfter}·` }).waitFor(WAIT);

    // The history of the new process, opened for the picture.
    await subscriber.getByRole('button', { name: 'History of demo/chat' }).click();
    await subscriber.locator('#history-list li').first().waitFor(WAIT);
    await subscriber.getByRole('button', { name: 'Disconnect' }).focus();

    await subscriber
      .locator('#message-rows tr.fresh')
      .first()
      .evaluate((row) => row.getAnimations()[0]?.finish());
    await subscriber.screenshot({ path: SCREENSHOT, animations: 'disabled', fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    await context.close();
  });

  it('with auth on, lists nothing until a token is given, then shows who is connected', {
    timeout: 30_000,
  }, async () => {
    const secured = await startServer(0, { TOPICSOCKET_JWT_SECRET: SECRET });
    try {
      const context = await (browser as Browser).newContext({ viewport: { width: 1280, height: 800 } });
      const page = await openConsole(context, secured.port, false);
      await page.locator('#admin-note', { hasText: 'Auth is on: enter a token' }).waitFor(WAIT);
      expect(await page.locator('#server-connection-rows tr').count()).toBe(0);
      await page.getByLabel(/^Token/).fill(await hsToken({ sub: 'ada' }));
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      await page.locator('#connection-status[data-state="connected"]').waitFor(WAIT);
      // The identity comes from the token's claims, as the server verified them.
      await page
        .locator('#server-connection-rows td[data-label="Identity"]', { hasText: /^ada$/ })
        .waitFor(WAIT);
      expect(await page.locator('#admin-note').textContent()).toBe('');
      await context.close();
    } finally {
      await kill(secured);
    }
  });

  it('reads on a phone in dark mode: one column, no sideways scrolling, admin rows as labelled cards', {
    timeout: 30_000,
  }, async () => {
    const running = server as RunningServer;
    const context = await (browser as Browser).newContext({
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
      hasTouch: true,
      isMobile: true,
    });
    const phone = await openConsole(context, running.port);
    await phone.getByLabel('Topic to subscribe to').fill('phone/topic');
    await phone.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await phone.locator('#server-topic-rows tr[data-key="phone/topic"]').waitFor(WAIT);
    await phone.locator('#server-connection-rows tr', { hasText: 'phone/topic' }).waitFor(WAIT);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await phone.locator('#server-topics thead').waitFor({ state: 'hidden', ...WAIT });
    const label = await phone
      .locator('#server-connection-rows tr', { hasText: 'phone/topic' })
      .locator('td[data-label="Identity"]')
      .evaluate((cell) => getComputedStyle(cell, '::before').content);
    expect(label).toBe('"Identity"');
    expect(await contrastFailures(phone)).toEqual([]);
    await context.close();
  });
});
