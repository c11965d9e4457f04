import { fusedElementwiseApplies, LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from '../backend/wasm-elementwise';
import { tf } from '../tf';
import { sumRows } from './sum-rows';

/** Checks that gamma and beta are `[D]` with D the last dim of x. */
function checkShapes(op: string, x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): void {
  const d = x.shape[x.rank - 1];
  if (x.rank < 1) throw new Error(`${op}: x must have rank >= 1, got a scalar`);
  for (const [name, t] of [['gamma', gamma], ['beta', beta]] as const) {
    if (t.rank !== 1 || t.shape[0] !== d) {
      throw new Error(`${op}: ${name} must have shape [${d}] (last dim of x [${x.shape}]), got [${t.shape}]`);
    }
  }
}

/**
 * LayerNorm over the last axis from plain ops (tfjs autodiff computes gradients):
 * `y = (x - mean) / sqrt(var + eps) * gamma + beta` with the biased variance (divide by D), like
 * PyTorch's `nn.LayerNorm`.
 *
 * @param x `[..., D]`
 * @param gamma `[D]` scale
 * @param beta `[D]` shift
 * @param eps added to the variance (PyTorch default 1e-5)
 * @returns `[..., D]`
 * @example
 * ```ts
 * const y = layerNorm(tf.randomNormal([8, 16]), tf.ones([16]), tf.zeros([16]));
 * ```
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  checkShapes('layerNorm', x, gamma, beta);
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true); // [..., 1]
    const xc = tf.sub(x, mean); // [..., D]
    const variance = tf.mean(tf.square(xc), -1, true); // [..., 1], biased
    const xhat = tf.mul(xc, tf.rsqrt(tf.add(variance, eps))); // [..., D]
    return tf.add(tf.mul(xhat, gamma), beta);
  });
}

/**
 * LayerNorm over the last axis with a hand-written backward (same values as {@link layerNorm}).
 * Saves only `xhat` `[..., D]`, `rstd` `[..., 1]` and `gamma`, and computes
 * - `dx = rstd · (g − mean(g) − xhat · mean(g·xhat))` with `g = dy·gamma` (means over the last axis),
 * - `dgamma = Σ dy·xhat`, `dbeta = Σ dy` over all leading axes (as a ones-matmul, fast on wasm).
 *
 * gamma and beta are explicit customGrad inputs, so gradients reach variables passed here
 * (a variable captured in a customGrad closure gets no gradient; platform.md §5).
 *
 * On the tfjs `wasm` backend (float32) forward and backward each run as one fused SIMD kernel
 * (`AcnLayerNorm`, `AcnLayerNormGrad` in backend/wasm-elementwise.ts; dgamma/dbeta are summed in
 * the same pass); values equal the tfjs-op path up to float32 summation order.
 * `initBackend('wasm', { wasmFusedKernels: false })` (or env `ACN_WASM_FUSED_ELEMENTWISE=0`) turns
 * the kernels off.
 *
 * @param x `[..., D]`
 * @param gamma `[D]`
 * @param beta `[D]`
 * @param eps added to the variance (default 1e-5)
 * @returns `[..., D]`
 * @example
 * ```ts
 * const gamma = tf.variable(tf.ones([16])), beta = tf.variable(tf.zeros([16]));
 * const { grads } = tf.variableGrads(() => tf.sum(layerNormFused(x, gamma, beta)));
 * ```
 */
export function layerNormFused(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  checkShapes('layerNormFused', x, gamma, beta);
  if (fusedElementwiseApplies(x, gamma, beta)) return layerNormWasm(x, gamma, beta, eps);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const mean = tf.mean(xi, -1, true); // [..., 1]
    const xc = tf.sub(xi, mean); // [..., D]
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps)); // [..., 1]
    const xhat = tf.mul(xc, rstd); // [..., D]
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gam] = saved;
        const gy = tf.mul(dy, gam); // dL/dxhat, [..., D]
        const meanG = tf.mean(gy, -1, true); // [..., 1]
        const meanGX = tf.mean(tf.mul(gy, xh), -1, true); // [..., 1]
        const dx = tf.mul(rs, tf.sub(tf.sub(gy, meanG), tf.mul(xh, meanGX)));
        return [dx, sumRows(tf.mul(dy, xh)), sumRows(dy)];
      },
    };
  });
  return op(x, gamma, beta);
}

/** The wasm kernel path of {@link layerNormFused} (shapes already checked). */
function layerNormWasm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    // y, xhat: [..., D]; rstd: [..., 1]
    const [y, xhat, rstd] = tf.engine().runKernel(LAYER_NORM_KERNEL, { x: xi, gamma: g, beta: b }, { eps }) as tf.Tensor[];
    save([xhat, rstd, g]);
    return {
      value: y,
      // [dx [..., D], dgamma [D], dbeta [D]]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, { dy, xhat: saved[0], rstd: saved[1], gamma: saved[2] }) as tf.Tensor[],
    };
  });
  return op(x, gamma, beta);
}
