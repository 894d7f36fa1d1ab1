/**
 * The MOCK integration behind the `ping` route. A MOCK integration's "backend output" is its request
 * template's output, so the request template carries the frame's `id` through and the integration response
 * template reads it back: `{"type":"ping","id":7}` -> `{"type":"pong","id":7}`, `{"type":"ping"}` ->
 * `{"type":"pong"}`. `$input.json` keeps the id's JSON type (string or number) exactly.
 */

// `$input.json` of an absent path renders as an empty string (quoted or not); both mean "no id".
const idIsPresent = `"$!id" != "" && "$!id" != '""' && "$!id" != "null"`;

export const PongMock = {
  /** Selects the `$default` template below whatever the content type. */
  templateSelectionExpression: '\\$default',
  templateKey: '$default',
  requestTemplate: `#set($id = $input.json('$.id')){"statusCode":200#if(${idIsPresent}),"id":$id#end}`,
  responseTemplate: `#set($id = $input.json('$.id')){"type":"pong"#if(${idIsPresent}),"id":$id#end}`,
} as const;
