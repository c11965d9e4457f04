import type { OnnxExitPolicy } from '@acn/onnx/runner';

/**
 * The page's exit policy: stop at the first exit (from `minLayer` blocks on) whose max softmax
 * probability is at least `p`, the rule of `@acn/early-exit`'s `maxProbPolicy`. Written out here
 * (a few lines, no tensors) so the page bundles neither `@acn/early-exit` nor tfjs; Node computes
 * the expected results with this very object.
 *
 * @example
 * ```ts
 * const policy = pagePolicy(0.9, 1);
 * ```
 */
export function pagePolicy(p: number, minLayer: number): OnnxExitPolicy {
  return {
    label: `max-prob>=${p},min-layer=${minLayer}`,
    minLayer,
    createState: () => ({}),
    decide: ({ probs, numClasses, ids }) => {
      const out = new Uint8Array(ids.length);
      for (let r = 0; r < ids.length; r++) {
        let m = 0;
        for (let j = 0; j < numClasses; j++) m = Math.max(m, probs[r * numClasses + j]);
        out[r] = m >= p ? 1 : 0;
      }
      return out;
    },
  };
}

/** The policy the page and its Node reference use. */
export const PAGE_POLICY = { p: 0.7, minLayer: 1 } as const;
