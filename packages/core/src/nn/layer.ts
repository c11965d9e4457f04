import { tf, type Tensor, type Variable } from '../tf';
import type { Forward, ForwardContext, LayerHook, LayerInfo, LayerKind } from '../hooks/types';

/** A hook bound to one layer; the id keeps bindings of the same hook object apart. */
export interface HookBinding {
  readonly id: number;
  readonly hook: LayerHook;
}

/**
 * Base class of every hookable layer. A layer owns its weights (`tf.Variable`s), knows its stable
 * dotted path, and routes weight reads through the attached parametrizations and its forward
 * through the attached forward wrappers.
 *
 * Layers read weights with `this.w(name)` inside `forward`, never `this.weights[name]` directly,
 * so hooks see every use.
 *
 * @example
 * ```ts
 * class Scale extends Layer {
 *   constructor(path: string) { super(path, 'dense', -1); this.addWeight('s', tf.ones([1])); }
 *   protected forward(x: Tensor) { return x.mul(this.w('s')); }
 * }
 * ```
 */
export abstract class Layer implements LayerInfo {
  readonly weights: Record<string, Variable> = {};
  private readonly childLayers: Layer[] = [];
  private bindingList: HookBinding[] = [];

  constructor(
    readonly path: string,
    readonly kind: LayerKind,
    readonly depth: number,
  ) {}

  /** Direct sub-layers, in forward order. */
  get children(): readonly Layer[] {
    return this.childLayers;
  }

  /** Hooks bound to this layer, in attach order. */
  get bindings(): readonly HookBinding[] {
    return this.bindingList;
  }

  /** Registers a trainable weight, taking ownership of `value`. */
  protected addWeight(name: string, value: Tensor, trainable = true): Variable {
    if (this.weights[name]) throw new Error(`layer ${this.path}: weight '${name}' registered twice`);
    // tfjs variable names are global to the process, so we let tfjs pick unique ones and keep
    // the dotted path in our own maps (several models can live side by side).
    const v = tf.variable(value, trainable);
    value.dispose();
    this.weights[name] = v;
    return v;
  }

  /** @internal used by the hook host (`HookSetupContext.addWeight`). */
  addHookWeight(name: string, value: Tensor, trainable = true): Variable {
    if (this.weights[name]) {
      value.dispose();
      throw new Error(`layer ${this.path} already has a weight '${name}'`);
    }
    return this.addWeight(name, value, trainable);
  }

  /** Removes and frees one weight (hook-owned weights, structural changes such as factorization). */
  protected removeWeight(name: string): void {
    const v = this.weights[name];
    if (!v) throw new Error(`layer ${this.path} has no weight '${name}'`);
    delete this.weights[name];
    v.dispose();
  }

  /** @internal used by the hook host. */
  removeHookWeight(name: string): void {
    this.removeWeight(name);
  }

  protected addChild<T extends Layer>(child: T): T {
    this.childLayers.push(child);
    return child;
  }

  /** The effective weight: the stored weight passed through every attached parametrization, in attach order. */
  w(name: string): Tensor {
    const stored = this.weights[name];
    if (!stored) throw new Error(`layer ${this.path} has no weight '${name}' (has: ${Object.keys(this.weights).join(', ') || 'none'})`);
    let out: Tensor = stored;
    for (const b of this.bindingList) {
      const p = b.hook.parametrize?.[name];
      if (p) out = p(out, this);
    }
    return out;
  }

  /** Runs the layer's forward wrapped by every attached forward wrapper (first attached innermost). */
  apply(x: Tensor, ctx: ForwardContext): Tensor {
    let f: Forward = (input, c) => this.forward(input, c);
    for (const b of this.bindingList) {
      if (b.hook.wrapForward) f = b.hook.wrapForward(f, this);
    }
    return f(x, ctx);
  }

  /** The layer's own computation. Weights must be read with `this.w(name)`. */
  protected abstract forward(x: Tensor, ctx: ForwardContext): Tensor;

  /** This layer and all descendants, depth-first, parents before children. */
  *walk(): Generator<Layer> {
    yield this;
    for (const c of this.childLayers) yield* c.walk();
  }

  /** @internal used by the hook host. */
  bind(binding: HookBinding): void {
    this.bindingList = [...this.bindingList, binding];
  }

  /** @internal used by the hook host. */
  unbind(id: number): void {
    this.bindingList = this.bindingList.filter((b) => b.id !== id);
  }

  /** Frees every weight of this layer and its descendants. */
  dispose(): void {
    for (const l of this.walk()) for (const v of Object.values(l.weights)) v.dispose();
  }
}
