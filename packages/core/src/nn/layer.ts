import { tf, type Tensor, type Variable } from '../tf';
import { checkedForward } from '../hooks/check-forward';
import type { Forward, ForwardContext, LayerHook, LayerInfo, LayerKind } from '../hooks/types';

/**
 * > 0 while a layer's own forward runs only to learn its output shape (see `ownOutputShape`):
 * hooks are bypassed then, so a probe is invisible to them and costs no compression work.
 */
let shapeProbes = 0;

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
  /** Output shape of this layer's own forward by input shape (for the forward-wrapper shape check). */
  private readonly ownShapes = new Map<string, readonly number[]>();

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
    this.ownShapes.clear(); // a structural change (resize, factorization) may change output shapes
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
    if (shapeProbes > 0) return out; // parametrizations preserve shape (checked at attach)
    for (const b of this.bindingList) {
      const p = b.hook.parametrize?.[name];
      if (p) out = p(out, this);
    }
    return out;
  }

  /**
   * Runs the layer's forward wrapped by every attached forward wrapper (first attached innermost).
   * Each wrapper's output shape is checked against the layer's own (a `HookError` naming the hook).
   */
  apply(x: Tensor, ctx: ForwardContext): Tensor {
    if (shapeProbes > 0) return this.forward(x, ctx);
    let f: Forward = (input, c) => this.ownForward(input, c);
    for (const b of this.bindingList) {
      const wrap = b.hook.wrapForward;
      if (wrap) f = checkedForward(b.hook, this, f, (next) => wrap(next, this), (input, c) => this.ownOutputShape(input, c));
    }
    return f(x, ctx);
  }

  private ownForward(x: Tensor, ctx: ForwardContext): Tensor {
    const y = this.forward(x, ctx);
    this.rememberShape(x, y);
    return y;
  }

  private rememberShape(x: Tensor, y: Tensor): void {
    if (this.ownShapes.size >= 64) this.ownShapes.clear(); // bounded: a few input shapes in practice
    this.ownShapes.set(x.shape.join(','), y.shape);
  }

  /**
   * The output shape of the layer's own forward for an input of `x`'s shape, for a wrapper that
   * replaced the forward without calling it: remembered from an earlier call, else computed once
   * per input shape with every hook bypassed (hooks never see the probe).
   */
  private ownOutputShape(x: Tensor, ctx: ForwardContext): readonly number[] {
    const known = this.ownShapes.get(x.shape.join(','));
    if (known) return known;
    let shape: readonly number[] = [];
    shapeProbes++;
    try {
      tf.tidy(() => {
        const y = this.forward(x, ctx);
        this.rememberShape(x, y);
        shape = y.shape;
      });
    } finally {
      shapeProbes--;
    }
    return shape;
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
