/** Defaults and bounds of server hooks (docs/hooks.md); the env names are in ../config-env.ts. */
export const HookDefaults = {
  /** A hook call's time budget. A few seconds: a hook that calls a service has time, a stuck one is cut off. */
  timeoutMs: 3000,
  /**
   * Largest `user` (serialized JSON, UTF-8) onConnect may attach. The DynamoDB connection item also holds
   * the claims and up to 500 subscriptions within DynamoDB's 400 KB (BrokerRanges in ../config-env.ts leaves
   * 16 KB for the rest); 4 KB of it is the user's.
   */
  maxUserBytes: 4096,
  /** A refusal's message is cut to this many characters: it goes into a frame or a response as it is. */
  maxRejectionMessage: 500,
} as const;
