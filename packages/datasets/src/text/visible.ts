/**
 * A string quoted for an error message with invisible characters spelled out: JSON escapes
 * control characters, and this also escapes the ones JSON leaves raw (byte-order mark U+FEFF,
 * zero-width and bidi marks, C1 controls, line/paragraph separators), so a message never shows a
 * difference the reader cannot see.
 *
 * @example
 * ```ts
 * visible('\uFEFFsentence'); // '"\\ufeffsentence"'
 * ```
 */
export function visible(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
