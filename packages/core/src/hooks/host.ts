import { tf, type Tensor, type Variable } from '../tf';
import type { Layer } from '../nn/layer';
import { HookError } from './errors';
import { LAYER_KINDS, type LayerHook, type LayerInfo } from './types';

/**
 * A live attachment of one hook to a set of layers.
 *
 * @example
 * ```ts
 * const handle = attachHook(model, scaleHook);
 * // ... train ...
 * handle.bake();     // write effective weights, remove the hook
 * // or handle.dispose() to restore the model exactly
 * ```
 */
export interface HookHandle {
  readonly hook: LayerHook;
  /** The layers this hook was bound to, in model order. */
  readonly layers: readonly LayerInfo[];
  /** False once disposed or baked. */
  readonly active: boolean;
  /** Removes the hook and frees its state; stored weights were never touched, so the model is restored exactly. */
  dispose(): void;
  /**
   * Writes the hook's effective weights into the stored variables (and calls its `bake`), then
   * removes it. The hook must be the first parametrization of every weight it changes (bake in
   * attach order), otherwise the remaining chain would apply earlier hooks twice.
   */
  bake(): void;
}

interface Attachment {
  readonly id: number;
  readonly hook: LayerHook;
  readonly layers: Layer[];
  readonly disposers: Array<() => void>;
  active: boolean;
}

let nextBindingId = 1;

function matches(hook: LayerHook, layer: Layer): boolean {
  const f = hook.filter;
  if (!f) return true;
  if (f.kind !== undefined) {
    const kinds = typeof f.kind === 'string' ? [f.kind] : f.kind;
    if (!kinds.includes(layer.kind)) return false;
  }
  if (f.path && !f.path.test(layer.path)) return false;
  if (f.where && !f.where(layer)) return false;
  return true;
}

function validateHookShape(hook: LayerHook): void {
  if (!hook || typeof hook.name !== 'string' || hook.name.length === 0) {
    throw new HookError('a hook needs a non-empty `name` (shown in every error)', String(hook?.name ?? '?'));
  }
  const kinds = hook.filter?.kind === undefined ? [] : typeof hook.filter.kind === 'string' ? [hook.filter.kind] : hook.filter.kind;
  for (const k of kinds) {
    if (!LAYER_KINDS.includes(k)) {
      throw new HookError(`hook '${hook.name}': unknown layer kind '${k}' in filter (known: ${LAYER_KINDS.join(', ')})`, hook.name);
    }
  }
}

/**
 * Owns the hooks attached to one model: attach/dispose/bake and the step signal for schedules.
 * Every model in `@acn/core` has one (`model.hooks`).
 *
 * @example
 * ```ts
 * const h = model.hooks.attach({ name: 'double', filter: { kind: 'dense' }, parametrize: { kernel: (w) => w.mul(2) } });
 * model.hooks.step(10); // broadcast to onStep of every attached hook
 * h.dispose();
 * ```
 */
export class HookHost {
  private attachments: Attachment[] = [];
  private stepValue = 0;

  constructor(private readonly allLayers: () => readonly Layer[]) {}

  /** The step last signalled with `step()`. */
  get currentStep(): number {
    return this.stepValue;
  }

  /** Hooks currently attached, in attach order. */
  get attached(): readonly LayerHook[] {
    return this.attachments.map((a) => a.hook);
  }

  /** Attaches `hook` to every matching layer; validates it and rolls back completely on error. */
  attach(hook: LayerHook): HookHandle {
    validateHookShape(hook);
    const layers = this.allLayers().filter((l) => matches(hook, l));
    if (layers.length === 0 && !hook.allowEmpty) {
      const kinds = [...new Set(this.allLayers().map((l) => l.kind))].join(', ');
      throw new HookError(
        `hook '${hook.name}' matched no layers (filter kind=${JSON.stringify(hook.filter?.kind ?? 'any')}, path=${hook.filter?.path ?? 'any'}); this model has kinds: ${kinds}`,
        hook.name,
      );
    }
    const names = Object.keys(hook.parametrize ?? {});
    for (const layer of layers) {
      for (const n of names) {
        if (!layer.weights[n]) {
          throw new HookError(
            `hook '${hook.name}' parametrizes weight '${n}' but layer ${layer.path} (${layer.kind}) has only: ${Object.keys(layer.weights).join(', ') || 'no weights'}`,
            hook.name,
            layer.path,
          );
        }
      }
    }
    const att: Attachment = { id: nextBindingId++, hook, layers, disposers: [], active: true };
    try {
      const all = hook.prepareAll?.(layers);
      if (typeof all === 'function') att.disposers.push(all); // runs last: disposers run in reverse
      for (const layer of layers) {
        const added: string[] = [];
        // Hook-owned weights go first into the disposer list, so they are removed last (after the
        // hook's own disposer, which may still read them).
        att.disposers.push(() => added.splice(0).forEach((n) => layer.removeHookWeight(n)));
        const ctx = {
          addWeight: (name: string, value: Tensor, trainable = true): Variable => {
            const v = layer.addHookWeight(name, value, trainable);
            added.push(name);
            return v;
          },
        };
        const d = hook.setup?.(layer, ctx);
        if (typeof d === 'function') att.disposers.push(d);
        layer.bind({ id: att.id, hook });
      }
      this.checkParametrizedShapes(hook, layers);
    } catch (e) {
      this.detach(att);
      if (e instanceof HookError) throw e;
      throw new HookError(`hook '${hook.name}' failed during attach: ${(e as Error).message}`, hook.name);
    }
    this.attachments.push(att);
    hook.onStep?.(this.stepValue);
    return this.handleFor(att);
  }

  /** Broadcasts the optimizer step to every attached hook's `onStep` (schedules). */
  step(step: number): void {
    if (!Number.isInteger(step) || step < 0) throw new RangeError(`step must be a non-negative integer, got ${step}`);
    this.stepValue = step;
    for (const a of this.attachments) a.hook.onStep?.(step);
  }

  /**
   * Bakes every attached hook in attach order. Every hook is checked first (`canBake`, a forward
   * wrapper without `bake`), so a refusal writes nothing: no hook is baked and all stay attached.
   */
  bakeAll(): void {
    const all = [...this.attachments];
    // In attach order each hook is the first parametrization left, so the order check cannot fail here.
    for (const a of all) this.assertBakeable(a, false);
    for (const a of all) this.write(a);
  }

  /** Disposes every attached hook (last attached first). */
  disposeAll(): void {
    for (const a of [...this.attachments].reverse()) this.detach(a);
  }

  private handleFor(att: Attachment): HookHandle {
    return {
      hook: att.hook,
      layers: att.layers,
      get active() {
        return att.active;
      },
      dispose: () => this.detach(att),
      bake: () => this.bakeOne(att),
    };
  }

  private checkParametrizedShapes(hook: LayerHook, layers: readonly Layer[]): void {
    for (const layer of layers) {
      for (const n of Object.keys(hook.parametrize ?? {})) {
        const stored = layer.weights[n];
        let shape: number[] = [];
        let dtype = '';
        try {
          tf.tidy(() => {
            const w = layer.w(n);
            shape = w.shape;
            dtype = w.dtype;
          });
        } catch (e) {
          throw new HookError(
            `hook '${hook.name}' failed on ${layer.path}.${n} ${JSON.stringify(stored.shape)}: ${(e as Error).message}`,
            hook.name,
            layer.path,
          );
        }
        if (shape.length !== stored.shape.length || shape.some((s, i) => s !== stored.shape[i]) || dtype !== stored.dtype) {
          throw new HookError(
            `hook '${hook.name}' changes ${layer.path}.${n} from ${JSON.stringify(stored.shape)} ${stored.dtype} to ${JSON.stringify(shape)} ${dtype}; parametrizations must preserve shape and dtype`,
            hook.name,
            layer.path,
          );
        }
      }
    }
  }

  private detach(att: Attachment): void {
    // Idempotent: a rolled-back or already disposed attachment unbinds nothing and has no disposers left.
    for (const layer of att.layers) layer.unbind(att.id);
    for (const d of att.disposers.splice(0).reverse()) d();
    att.active = false;
    this.attachments = this.attachments.filter((a) => a !== att);
  }

  private bakeOne(att: Attachment): void {
    this.assertBakeable(att, true);
    this.write(att);
  }

  /** Throws a `HookError` (naming the hook and why) when `att` cannot be baked now; changes nothing. */
  private assertBakeable(att: Attachment, checkOrder: boolean): void {
    const hook = att.hook;
    if (!att.active) throw new HookError(`hook '${hook.name}' is no longer attached; nothing to bake`, hook.name);
    if (hook.wrapForward && !hook.bake) {
      throw new HookError(
        `hook '${hook.name}' wraps the forward and defines no bake(); it cannot be baked into weights (dispose it instead)`,
        hook.name,
      );
    }
    if (checkOrder) {
      for (const layer of att.layers) {
        for (const n of Object.keys(hook.parametrize ?? {})) {
          const first = layer.bindings.find((b) => b.hook.parametrize?.[n]);
          if (first && first.id !== att.id) {
            throw new HookError(
              `cannot bake '${hook.name}' on ${layer.path}.${n}: '${first.hook.name}' parametrizes it first; bake hooks in attach order`,
              hook.name,
              layer.path,
            );
          }
        }
      }
    }
    let verdict: true | string = true;
    try {
      verdict = hook.canBake?.(att.layers) ?? true;
    } catch (e) {
      verdict = `its canBake check failed: ${(e as Error).message}`;
    }
    if (verdict !== true) throw new HookError(`cannot bake '${hook.name}': ${verdict}; nothing was written`, hook.name);
  }

  /** Writes the effective weights of `att`'s parametrizations, calls its `bake`, and detaches it. */
  private write(att: Attachment): void {
    const hook = att.hook;
    const names = Object.keys(hook.parametrize ?? {});
    for (const layer of att.layers) {
      for (const n of names) {
        const v = layer.weights[n];
        const p = hook.parametrize![n];
        const baked = tf.tidy(() => {
          const out = p(v, layer);
          return out === v ? v.clone() : out; // never hand the variable itself to dispose()
        });
        v.assign(baked);
        baked.dispose();
      }
      hook.bake?.(layer);
    }
    this.detach(att);
  }
}
