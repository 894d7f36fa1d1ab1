import type { Hooks } from './contract.ts';

const HOOK_NAMES = ['onConnect', 'onSubscribe', 'onPublish', 'onDisconnect'] as const;

/**
 * The hooks of a loaded module (its default export), or an error saying what is wrong with it, naming the
 * hook: a typo such as `onPublsh` would otherwise be a hook that silently never runs. `label` names the
 * module in the message (its file).
 */
export function hooksFromModule(exports: Readonly<Record<string, unknown>>, label: string): Hooks {
  const hooks = exports.default;
  if (typeof hooks !== 'object' || hooks === null || Array.isArray(hooks)) {
    throw new TypeError(
      `${label}: the default export must be the hooks object (export default defineHooks({ ... })), got ${
        hooks === undefined ? 'no default export' : Array.isArray(hooks) ? 'an array' : typeof hooks
      }`,
    );
  }
  for (const [name, value] of Object.entries(hooks)) {
    if ((HOOK_NAMES as readonly string[]).includes(name)) {
      if (typeof value !== 'function' && value !== undefined) {
        throw new TypeError(`${label}: ${name} must be a function, got ${typeof value}`);
      }
    } else if (name === 'rpc') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new TypeError(
          `${label}: rpc must be an object of methods, got ${Array.isArray(value) ? 'an array' : typeof value}`,
        );
      }
      for (const [method, handler] of Object.entries(value)) {
        if (typeof handler !== 'function') {
          throw new TypeError(`${label}: rpc.${method} must be a function, got ${typeof handler}`);
        }
      }
    } else {
      throw new TypeError(`${label}: unknown hook ${name}; hooks are ${HOOK_NAMES.join(', ')} and rpc`);
    }
  }
  return hooks as Hooks;
}
