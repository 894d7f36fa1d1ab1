/**
 * The local web console (docs/console.md): one page on the local server that connects with the project's
 * own client SDK, subscribes, publishes and shows what happens, with the server's live figures.
 */
import { createClient, type TopicsocketClient } from '../client/index.ts';
import { ActivityLog } from './activity-log.ts';
import { AdminPanel } from './admin-panel.ts';
import { ConnectButtons } from './connect-buttons.ts';
import { ConnectionStatus } from './connection-status.ts';
import { byId } from './dom.ts';
import { type PublishFormat, parsePublishInput, positionLabel } from './format.ts';
import { HistoryView } from './history-view.ts';
import { MessageLog } from './message-log.ts';
import { StatsPanel } from './stats-panel.ts';
import { SubscriptionList } from './subscription-list.ts';

/** A dev tool: come back quickly after a restart instead of backing off to the SDK's 20 s ceiling. */
const RECONNECT = { minDelayMs: 250, maxDelayMs: 3000 };

const urlInput = byId('url-input', HTMLInputElement);
const tokenInput = byId('token-input', HTMLInputElement);
const connectForm = byId('connect-form', HTMLFormElement);
const disconnectButton = byId('disconnect-button', HTMLButtonElement);
const subscribeForm = byId('subscribe-form', HTMLFormElement);
const subscribeTopic = byId('subscribe-topic', HTMLInputElement);
const subscribeError = byId('subscribe-error', HTMLElement);
const publishForm = byId('publish-form', HTMLFormElement);
const publishTopic = byId('publish-topic', HTMLInputElement);
const publishData = byId('publish-data', HTMLTextAreaElement);
const publishResult = byId('publish-result', HTMLElement);

const authRequired = document.documentElement.dataset.auth === 'required';
const status = new ConnectionStatus();
const activity = new ActivityLog(byId('activity-list', HTMLOListElement));
const messages = new MessageLog(
  byId('message-rows', HTMLTableSectionElement),
  byId('message-count', HTMLElement),
  byId('messages-empty', HTMLElement),
  byId('message-filter-status', HTMLElement),
);
const subscriptions = new SubscriptionList(
  {
    list: byId('topic-list', HTMLUListElement),
    empty: byId('topics-empty', HTMLElement),
    suggestions: byId('topic-suggestions', HTMLDataListElement),
  },
  {
    message: (message) => messages.add(message),
    refused: (topic, reason) => {
      // The SDK reports the refusal on its error event too, which the activity log shows.
      subscribeError.textContent = `${topic} refused: ${reason}`;
    },
    removed: () => subscribeTopic.focus(),
  },
);
/** The token of the current connection, not the half-typed one in the field, goes to /stats. */
let connectedToken = '';
const stats = new StatsPanel(() => connectedToken);
const history = new HistoryView(() => connectedToken);
const admin = new AdminPanel(
  () => connectedToken,
  (topic, opener) => void history.open(topic, opener),
);
const buttons = new ConnectButtons(byId('connect-button', HTMLButtonElement), disconnectButton);

let client: TopicsocketClient | undefined;

function connect(): void {
  const url = urlInput.value.trim();
  const token = tokenInput.value.trim();
  connectedToken = token;
  void client?.close();
  client = undefined;
  let next: TopicsocketClient;
  try {
    next = createClient({ url, ...(token ? { token } : {}), reconnect: RECONNECT });
  } catch (error) {
    activity.add('error', error instanceof Error ? error.message : String(error));
    urlInput.focus();
    return;
  }
  client = next;
  // Failed attempts repeat every few seconds: the badge shows each, the activity log only the first.
  let failedBefore = false;
  next.on('state', (change) => {
    if (client !== next) return;
    status.show(change);
    const failed = change.state === 'connecting' && change.reason !== undefined;
    if (change.state === 'connected') {
      activity.add(
        'ok',
        change.previous === 'reconnecting' ? `Reconnected to ${url}` : `Connected to ${url}`,
      );
    } else if (change.state === 'reconnecting' && change.previous === 'connected') {
      subscriptions.connectionLost();
      activity.add(
        'warn',
        `Connection lost (${[change.reason, change.code].filter(Boolean).join(', ') || 'no reason'})`,
      );
    } else if (change.state === 'connecting' && change.reason && !failedBefore) {
      activity.add(
        'warn',
        `Connect failed (${change.reason})${authRequired && !token ? ': auth is on, a token is needed' : ''}`,
      );
    } else if (change.state === 'closed') {
      subscriptions.connectionLost();
      activity.add('info', `Closed (${change.reason ?? 'no reason'})`);
    }
    buttons.show(change.state);
    failedBefore = failed;
  });
  next.on('subscribed', ({ topic, resubscribed }) => {
    if (client !== next) return;
    subscriptions.acknowledged(topic);
    activity.add('ok', resubscribed ? `Resubscribed to ${topic}` : `Subscribed to ${topic}`);
  });
  next.on('error', (error) => {
    if (client === next)
      activity.add('error', `${error.topic ? `${error.topic}: ` : ''}${error.code}: ${error.message}`);
  });
  subscriptions.use(next);
  buttons.show(next.state);
  void stats.refresh();
  void admin.refresh();
}

connectForm.addEventListener('submit', (event) => {
  event.preventDefault();
  connect();
});

disconnectButton.addEventListener('click', () => {
  const closing = client;
  client = undefined;
  subscriptions.use(undefined);
  buttons.show('idle');
  status.show({ state: 'idle' });
  activity.add('info', 'Disconnected');
  void closing?.close();
});

subscribeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const topic = subscribeTopic.value.trim();
  subscribeError.textContent = '';
  if (!topic) {
    subscribeError.textContent = 'Enter a topic, e.g. chat/general.';
    subscribeTopic.focus();
    return;
  }
  subscriptions.add(topic);
  if (!publishTopic.value) publishTopic.value = topic;
  subscribeTopic.value = '';
});

publishForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void publish();
});

publishData.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    publishForm.requestSubmit();
  }
});

byId('clear-messages', HTMLButtonElement).addEventListener('click', () => messages.clear());
const messageFilter = byId('message-filter', HTMLInputElement);
messageFilter.addEventListener('input', () => messages.setFilter(messageFilter.value));

async function publish(): Promise<void> {
  const topic = publishTopic.value.trim();
  const format = (new FormData(publishForm).get('format') ?? 'json') as PublishFormat;
  const parsed = parsePublishInput(format, publishData.value);
  publishResult.dataset.kind = 'error';
  if (!topic) {
    publishResult.textContent = 'Enter a topic to publish to.';
    publishTopic.focus();
    return;
  }
  if (!parsed.ok) {
    publishResult.textContent = parsed.message;
    publishData.focus();
    return;
  }
  if (!client) {
    publishResult.textContent = 'Not connected: press Connect first.';
    return;
  }
  publishResult.dataset.kind = 'pending';
  publishResult.textContent =
    client.state === 'connected' ? 'Publishing…' : 'Queued until the connection is back…';
  try {
    const result = await client.publish(topic, parsed.data);
    publishResult.dataset.kind = 'ok';
    publishResult.textContent = `Published to ${topic}${result.offset === undefined ? '' : ` · ${positionLabel(result.epoch, result.offset)}`}`;
  } catch (error) {
    publishResult.dataset.kind = 'error';
    const code = error instanceof Error && 'code' in error ? `${String(error.code)}: ` : '';
    publishResult.textContent = `Not published. ${code}${error instanceof Error ? error.message : String(error)}`;
  }
}

// Same origin by default: the server that serves this page.
urlInput.value = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
stats.start();
admin.start();
if (authRequired) {
  status.show({ state: 'idle' });
  activity.add('info', 'Auth is on: paste a token, then Connect.');
  tokenInput.focus();
} else {
  connect();
}
