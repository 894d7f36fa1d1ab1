// A browser app that needs only the client: bundled by esbuild in a consumer that installed nothing but
// @topicsocket/client (scripts/verify-packages.sh), and type-checked there with `moduleResolution: bundler`.
import { createClient, isTopicsocketError, type Message } from '@topicsocket/client';

const client = createClient({ url: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod' });
client.on('state', ({ state }) => {
  document.title = state;
});
const stop = client.subscribe('chat/room-1', (message: Message) => {
  document.body.append(JSON.stringify(message.data));
});
stop.ready.catch((error: unknown) => console.error(isTopicsocketError(error) ? error.code : error));
