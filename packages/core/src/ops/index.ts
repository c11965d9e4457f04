/**
 * Differentiable building blocks. Each op comes as a plain-ops version (tfjs autodiff; the
 * reference) and, where it pays off, a `*Fused` customGrad version with a hand-written backward
 * that saves less memory and runs faster on wasm.
 */
export { dense, denseFused } from './dense';
export { gelu, geluFused } from './gelu';
export { layerNorm, layerNormFused } from './layer-norm';
export { stopGradient } from './stop-gradient';
export { sumRows } from './sum-rows';
