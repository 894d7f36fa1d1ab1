/**
 * A chat's server rules as topicsocket hooks (docs/hooks.md). The same file runs under `topicsocket dev
 * --hooks` and in the deployed functions (TOPICSOCKET_HOOKS=examples/chat/hooks.ts at synth/package time).
 *
 * - Only tokens with a `sub` may connect; the subject is the user (stored with the connection).
 * - Everyone may read and write `room/*`; `user/{sub}` is one's own inbox (read-only: the server writes it).
 * - Every message is stamped `{ text, from, at }`, stripped of markup, and refused over 500 characters.
 * - `whoami` answers who the server thinks you are.
 */
import { defineHooks, HookRejection } from 'topicsocket';

const MAX_LENGTH = 500;

type User = { sub: string };

/** Text without tags: a chat shows what was typed, never markup a browser would render. */
function plainText(value: unknown): string {
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'object' && value && 'text' in value
        ? String(value.text)
        : '';
  return text.replace(/<[^>]*>/g, '').trim();
}

export default defineHooks<User>({
  onConnect(ctx) {
    const sub = ctx.claims?.sub;
    if (typeof sub !== 'string' || sub === '') {
      throw new HookRejection('unauthorized', 'this chat needs a token with a subject (sub)');
    }
    return { user: { sub } };
  },

  onSubscribe(ctx, { topic }) {
    if (topic.startsWith('room/') || topic === `user/${ctx.user?.sub}`) return;
    return new HookRejection('forbidden', `you may read room/* and user/${ctx.user?.sub}, not ${topic}`);
  },

  onPublish(ctx, { topic, data }) {
    if (!topic.startsWith('room/')) throw new HookRejection('forbidden', 'messages go to room/*');
    const text = plainText(data);
    if (text === '') throw new HookRejection('bad_request', 'a message needs some text');
    if (text.length > MAX_LENGTH) {
      throw new HookRejection('payload_too_large', `a message has at most ${MAX_LENGTH} characters`);
    }
    const from = ctx.caller.kind === 'backend' ? 'server' : (ctx.user?.sub ?? 'unknown');
    return { data: { text, from, at: new Date().toISOString() } };
  },

  rpc: {
    whoami: (ctx) => ({ sub: ctx.user?.sub ?? null, connectionId: ctx.connectionId }),
  },
});
