/** The transport-agnostic core: broker, fan-out and the ports runtimes plug into. */
export { Broker, type BrokerOptions, type PublishResult, serializeMessage } from './broker/index.ts';
export { type BrokerLimits, brokerLimitsFrom, DEFAULT_RETENTION, defaultBrokerLimits } from './config.ts';
export {
  BrokerEnvironment,
  BrokerRanges,
  type BrokerSettings,
  type Env,
  EnvReader,
  parseHttpUrl,
  parseInteger,
  parseRate,
  readBrokerSettings,
} from './config-env.ts';
export { type RequestContext, Routes, type WebSocketEvent, type WebSocketResult } from './events.ts';
export { type FanoutResult, fanout } from './fanout.ts';
export * from './ports/index.ts';
export * from './sharding/index.ts';
export { endTokenExpired, TOKEN_EXPIRED_FRAME } from './token-expiry.ts';
export { mapLimit } from './util/map-limit.ts';
