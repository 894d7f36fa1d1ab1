/** The transport-agnostic core: broker, fan-out and the ports runtimes plug into. */
export { Broker, type BrokerOptions, type PublishResult, serializeMessage } from './broker.ts';
export { type BrokerLimits, defaultBrokerLimits } from './config.ts';
export { type RequestContext, Routes, type WebSocketEvent, type WebSocketResult } from './events.ts';
export { type FanoutResult, fanout } from './fanout.ts';
export * from './ports/index.ts';
export * from './sharding/index.ts';
export { mapLimit } from './util/map-limit.ts';
