/**
 * Small text helpers shared by the report renderers.
 */

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<b>Fashion & MNIST</b>'); // '&lt;b&gt;Fashion &amp; MNIST&lt;/b&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * A count with an SI suffix and 3 significant digits (`1.23 M`); small integers stay exact.
 *
 * @example
 * ```ts
 * formatSi(1234567); // '1.23 M'
 * formatSi(512);     // '512'
 * ```
 */
export function formatSi(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units = ['', ' k', ' M', ' G', ' T', ' P'];
  let i = 0;
  let v = Math.abs(n);
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  if (i === 0) return Number.isInteger(n) ? String(n) : n.toPrecision(3);
  return `${n < 0 ? '-' : ''}${v.toPrecision(3)}${units[i]}`;
}

/**
 * Bytes in binary units with 3 significant digits (`12.3 KiB`).
 *
 * @example
 * ```ts
 * formatBytes(12600); // '12.3 KiB'
 * ```
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toPrecision(3)} ${units[i]}`;
}
