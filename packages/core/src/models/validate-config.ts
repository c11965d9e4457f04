import type { z } from 'zod';
import { ConfigError } from './errors';

/**
 * Parses `input` with a zod schema and turns failures into one `ConfigError` that names every bad
 * field, the value given and the rule it broke.
 *
 * @example
 * ```ts
 * const cfg = parseConfig(mixerConfigSchema, userConfig, 'MixerConfig');
 * ```
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const path = i.path.length ? i.path.join('.') : '(config)';
    const given = i.path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined), input);
    return `${path}: ${i.message}${given !== undefined ? ` (got ${JSON.stringify(given)})` : ''}`;
  });
  throw new ConfigError(`invalid ${what}: ${lines.join('; ')}`);
}
