import type { JsonValue } from '../client/index.ts';

/** `14:03:27.512`: local wall-clock time with milliseconds, which is what ordering by eye needs. */
export function clockTime(date: Date): string {
  const pad = (value: number, length = 2) => String(value).padStart(length, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** Message data as one readable line: strings as they are, everything else as compact JSON. */
export function dataPreview(data: JsonValue, maxLength = 2000): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}

export type PublishFormat = 'json' | 'text';

export type ParsedInput = { ok: true; data: JsonValue } | { ok: false; message: string };

/** The publish box as data: JSON is parsed (so `42` is a number), text is sent as a JSON string. */
export function parsePublishInput(format: PublishFormat, input: string): ParsedInput {
  if (format === 'text') return { ok: true, data: input };
  if (input.trim() === '') return { ok: false, message: 'Type a JSON value, or switch to Text.' };
  try {
    return { ok: true, data: JSON.parse(input) as JsonValue };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `Not valid JSON (${detail}). Fix it, or switch to Text.` };
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * `XvIJ·2`: an offset with the start of its stream's epoch, so offsets of two epochs (before and after a
 * restart of a memory-store server, where they start again at 1) are never mistaken for one sequence.
 */
export function positionLabel(epoch: string | undefined, offset: number | undefined): string {
  if (offset === undefined) return '–';
  return epoch === undefined ? String(offset) : `${epoch.slice(0, 4)}·${offset}`;
}

/** Message data for reading: strings as they are, JSON indented by two spaces, cut past `maxLength`. */
export function prettyData(data: JsonValue, maxLength = 4000): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data, null, 2);
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}

/** `42 s`, `3 min`, `2 h 5 min`: a connection's age at a glance. */
export function age(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}
