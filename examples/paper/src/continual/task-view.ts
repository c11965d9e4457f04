/**
 * Task-incremental learning with one shared multi-class head (acn.md §5.6, A10): while training or
 * testing task t, the model answers with the logits of the task's classes only (task identity is
 * known at test time), and the task's labels are relabelled 0..k−1 in the same order
 * (`filterClasses`). Selecting columns rather than masking with −∞ keeps label smoothing finite.
 */
import { tf, type BlockModel, type ForwardOptions, type ForwardResult, type Tensor } from '@acn/core';

/**
 * The columns `classes` of `[B, K]` logits, in that order: `[B, classes.length]`.
 *
 * @example
 * ```ts
 * selectClasses(tf.tensor2d([[1, 2, 3]]), [2, 0]); // [[3, 1]]
 * ```
 */
export function selectClasses(logits: Tensor, classes: readonly number[]): Tensor {
  const k = logits.shape[logits.shape.length - 1];
  for (const c of classes) if (!Number.isInteger(c) || c < 0 || c >= k) throw new RangeError(`selectClasses: class ${c} is outside 0..${k - 1}`);
  // A one-hot [K, k] matmul instead of tf.gather: gather's gradient (UnsortedSegmentSum) has no
  // wasm kernel, a matmul's has.
  const sel = new Float32Array(k * classes.length);
  classes.forEach((c, j) => (sel[c * classes.length + j] = 1));
  return tf.tidy(() => tf.matMul(logits.reshape([-1, k]), tf.tensor2d(sel, [k, classes.length])).reshape([...logits.shape.slice(0, -1), classes.length]));
}

/**
 * A view of `model` whose forward returns only the logits (and probes) of `classes`; it shares the
 * model's weights, so `train(taskView(model, [2, 3]), task1)` (labels 0, 1) trains the model on
 * task 1 and `evaluate(taskView(model, [2, 3]), test1)` measures its task-IL accuracy.
 *
 * @example
 * ```ts
 * await train(taskView(model, [0, 1]), filterClasses(train, [0, 1]), { epochs: 3 });
 * ```
 */
export function taskView<M extends BlockModel>(model: M, classes: readonly number[]): M {
  const view = Object.create(model) as M;
  // Object.create keeps the model's methods and getters (reading its fields through the prototype
  // chain); only `forward` is shadowed.
  Object.defineProperty(view, 'forward', {
    value: (x: Tensor, options: ForwardOptions = {}): ForwardResult => {
      const out = model.forward(x, options);
      try {
        const probes = out.probes?.map((p) => selectClasses(p, classes));
        // With probes the model's logits are its last probe: keep that identity.
        const logits = probes ? probes[probes.length - 1] : selectClasses(out.logits, classes);
        return probes ? { logits, probes } : { logits };
      } finally {
        tf.dispose([out.logits, ...(out.probes ?? [])]);
      }
    },
  });
  return view;
}
