/*
 * Core's hook-filter semantics for code that walks a model itself (export, report); the hook host
 * applies the same rules at attach.
 */
import type { HookFilter, LayerInfo } from '@acn/core';

/**
 * Whether `layer` passes `filter`: every given condition (kind, path, where) must hold, as in
 * core's `HookHost.attach`.
 *
 * @example
 * ```ts
 * matchesFilter({ kind: 'dense', path: /^blocks\./ }, model.layer('head.fc')); // false
 * ```
 */
export function matchesFilter(filter: HookFilter, layer: LayerInfo): boolean {
  if (filter.kind !== undefined) {
    const kinds = typeof filter.kind === 'string' ? [filter.kind] : filter.kind;
    if (!kinds.includes(layer.kind)) return false;
  }
  if (filter.path && !filter.path.test(layer.path)) return false;
  if (filter.where && !filter.where(layer)) return false;
  return true;
}
