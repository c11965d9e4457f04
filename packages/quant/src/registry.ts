/**
 * Which weights are quantized, and how. `exportQuantized` needs to find, for any model, every
 * kernel a quantizer is attached to or was baked into, with the exact parameters (scales, zero
 * points) that produced its effective values. The parameters cannot be recomputed from baked
 * values (re-deriving a uniform step size from `q·s` can be off by one ulp, and `mean(|W|)` of a
 * binarized kernel with zeros is not α), so each quantizer records them here.
 *
 * Keyed by the layer object in a WeakMap: nothing is kept alive by the registry, and several
 * models can live side by side. Per weight, records form a stack (the last attached quantizer
 * describes the effective weight); a record disappears when its hook is disposed unbaked, and
 * baking a record drops the stale ones beneath it.
 */
import type { KernelShape } from './kernel';
import type { QuantParams, QuantSpec } from './spec';

/** One quantized weight of one layer. */
export interface QuantRecord {
  /** Name of the compressor that made it (or `loadQuantized`). */
  readonly source: string;
  readonly spec: QuantSpec;
  readonly shape: KernelShape;
  /** `attached`: the effective weight is computed by a live hook; `baked`: the stored weight holds it. */
  readonly state: 'attached' | 'baked';
  /** The parameters of the current effective weight (for `attached`, those of the last forward). */
  params(): QuantParams;
}

const records = new WeakMap<object, Map<string, QuantRecord[]>>();

function stackOf(layer: object, weight: string): QuantRecord[] {
  let byWeight = records.get(layer);
  if (!byWeight) records.set(layer, (byWeight = new Map()));
  let stack = byWeight.get(weight);
  if (!stack) byWeight.set(weight, (stack = []));
  return stack;
}

/** Handle of an attached record: `bake` freezes its parameters, `release` forgets it unless baked. */
export interface RecordHandle {
  bake(params: QuantParams): void;
  release(): void;
}

/** Registers a live quantizer on `layer.weight`. */
export function registerAttached(layer: object, weight: string, source: string, spec: QuantSpec, shape: KernelShape, params: () => QuantParams): RecordHandle {
  const stack = stackOf(layer, weight);
  let current: QuantRecord = { source, spec, shape, state: 'attached', params };
  stack.push(current);
  return {
    bake: (frozen) => {
      const i = stack.indexOf(current);
      const baked: QuantRecord = { source, spec, shape, state: 'baked', params: () => frozen };
      // Everything beneath was baked earlier into the same stored weight and is now stale.
      stack.splice(0, i + 1, baked);
      current = baked;
    },
    release: () => {
      if (current.state === 'baked') return;
      const i = stack.indexOf(current);
      if (i >= 0) stack.splice(i, 1);
    },
  };
}

/** Replaces every record of `layer.weight` by one baked record (used by `loadQuantized`). */
export function registerBaked(layer: object, weight: string, source: string, spec: QuantSpec, shape: KernelShape, params: QuantParams): void {
  const stack = stackOf(layer, weight);
  stack.splice(0, stack.length, { source, spec, shape, state: 'baked', params: () => params });
}

/** The record describing the current effective `layer.weight`, if it is quantized. */
export function quantRecordOf(layer: object, weight: string): QuantRecord | undefined {
  const stack = records.get(layer)?.get(weight);
  return stack && stack.length > 0 ? stack[stack.length - 1] : undefined;
}

/** Every quantized weight of `layer` with its current record, in registration order. */
export function quantizedWeightsOf(layer: object): Array<[string, QuantRecord]> {
  const out: Array<[string, QuantRecord]> = [];
  for (const [weight, stack] of records.get(layer) ?? []) if (stack.length > 0) out.push([weight, stack[stack.length - 1]]);
  return out;
}
