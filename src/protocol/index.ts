/**
 * Wire protocol v1: frame types, error codes, limits, the validator of client frames, the serializers of
 * server frames and the client's reader of them. Spec: docs/protocol.md.
 *
 * ## Adding a frame
 *
 * Every frame is declared once as a TypeScript type and read by code that is proven, at compile time, to
 * read exactly that type (type-equality.ts): a field on one side only, optional or not, does not compile.
 *
 * Client -> server (e.g. `{type: 'call', name, args, id?}`):
 * 1. frames.ts: `export interface CallFrame { type: 'call'; name: string; args: JsonValue; id?: FrameId }`
 *    and add it to the `ClientFrame` union.
 * 2. schema.ts: `export const callSchema = schemaOf<CallFrame>()(z.object({ type: z.literal('call'), ... }))`
 *    (optional fields: `z.optional(...)`), and add `call: callSchema` to `clientFrameSchemas`. That table
 *    must have exactly one schema per `ClientFrame` type, so step 1 without this step does not compile.
 *    parseClientFrame (parse.ts) then accepts the frame; topics are checked for every frame with `topic`.
 * 3. The broker's `dispatch` switch handles it (its `frame.type` now includes `'call'`).
 * 4. docs/protocol.md: a row in "Client -> server"; test/protocol: a parse case with every optional field.
 *
 * Server -> client (e.g. `{type: 'result', id, data}`):
 * 1. frames.ts: `export interface ResultFrame { type: 'result'; id: FrameId; data: JsonValue }` and add it
 *    to the `ServerFrame` union.
 * 2. server-frames.ts (the client's reader; dependency-free, no zod): add
 *    `result: fieldsOf<FrameOf<'result'>>()({ id: isId, data: isJson })` to `serverFrameFields`
 *    (optional fields: `optional(guard)`; a new guard is a `(value: unknown) => value is T` there). The table
 *    must cover every `ServerFrame` type, so step 1 without this step does not compile.
 * 3. Serialize it with `serializeFrame(frame)` (serialize.ts), typed against `ServerFrame`; a frame sent in
 *    bulk gets its own spliced serializer in serialize.ts, tested to equal `JSON.stringify` of the frame.
 * 4. The client's `#onFrame` switch (client/client.ts) handles it; an older client reports it as
 *    `unknown_type` and ignores it. docs/protocol.md: a row in "Server -> client"; test/protocol: a
 *    server-frames case with every optional field, and one with a mistyped field.
 * New error codes go in codes.ts (`ErrorCodes`), disconnect reasons in `DisconnectReasons`.
 */
export * from './auth.ts';
export * from './codes.ts';
export * from './errors.ts';
export type * from './frames.ts';
export { exceedsJsonDepth, hasLoneSurrogate } from './json-checks.ts';
export * from './limits.ts';
export { type ParseOptions, type ParseResult, parseClientFrame, utf8Length } from './parse.ts';
export {
  type HistoryAnswer,
  LARGEST_POSITION,
  messageFrameJson,
  serializeFrame,
  serializeHistory,
  serializeMessage,
} from './serialize.ts';
export { topicProblem } from './topic.ts';

export const PROTOCOL_VERSION = 1;
