/**
 * Compile-time proofs that a frame's hand-written type and the code that reads it describe the same frame.
 * Types only: erased at build, so the client SDK can use them without carrying anything.
 */

/**
 * `true` exactly when `A` and `B` are the same type: the same keys, the same optional keys, the same
 * readonly-ness, identical property types, all the way down. Plain mutual assignability would miss an
 * optional field that only one side has (`{a: string}` and `{a: string; b?: number}` are assignable both
 * ways), which is the drift this exists to catch. The generic-function form makes the checker compare the
 * types with its identity relation instead of assignability.
 */
export type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

/**
 * What a mismatched pair reports at the point of the mistake: both shapes, so the error message shows
 * which side has the extra or differently typed field.
 */
export interface Mismatch<Declared, Read> {
  'the frame type and its schema/guard differ': { declared: Declared; read: Read };
}
