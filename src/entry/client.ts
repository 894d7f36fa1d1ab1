/**
 * `topicsocket/client`: the client SDK, which lives in its own package (`@topicsocket/client`) so browser
 * and React Native apps install it without the server's dependencies. Re-exported, not copied, so
 * `topicsocket/client` and `@topicsocket/client` are one module: `instanceof TopicsocketError` holds
 * whichever name an app imports it by.
 */
export * from '@topicsocket/client';
