/**
 * `pnpm bench`: training-step time of the platform.md benchmark Mixer (32×32×3, patch 4, D=128,
 * token MLP 64, channel MLP 256, depth 8, batch 128, Adam 1e-3) on wasm, with and without core's
 * wasm matmul fast paths, in the same process, plus the tensor count before/after 20 steps.
 *
 * Options (env): ACN_BENCH_STEPS (timed steps per variant, default 3), ACN_BENCH_LEAK_STEPS (20),
 * ACN_BENCH_BATCH (128), ACN_BENCH_CONNECTIVITY (residual | acn, default residual as in platform.md).
 */
import { AdamW, createMixer, initBackend, registerWasmFastPaths, tf, trainStep, unregisterWasmFastPaths, type Connectivity } from '../src/index';

const steps = Number(process.env.ACN_BENCH_STEPS ?? 3);
const leakSteps = Number(process.env.ACN_BENCH_LEAK_STEPS ?? 20);
const batch = Number(process.env.ACN_BENCH_BATCH ?? 128);
const connectivity = (process.env.ACN_BENCH_CONNECTIVITY ?? 'residual') as Connectivity;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const info = await initBackend('wasm');
  console.log(`backend ${info.name} (fast paths registered: ${info.fastPaths}); batch ${batch}, ${connectivity} Mixer depth 8`);
  const model = createMixer({ inputShape: [32, 32, 3], numClasses: 10, patchSize: 4, hiddenDim: 128, tokenMlpDim: 64, channelMlpDim: 256, depth: 8, connectivity, seed: 0 });
  console.log(`params ${model.paramCount().toLocaleString()}`);
  const x = tf.randomUniform([batch, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.randomUniform([batch], 0, 10, 'int32', 2);
  const opt = new AdamW({ weightDecay: 0 }); // Adam, as in platform.md

  const time = (label: string): number => {
    trainStep(model, opt, x, y, { lr: 1e-3 }); // warm-up (kernel setup, XNNPACK operator caches)
    const ts: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      trainStep(model, opt, x, y, { lr: 1e-3 }); // reads the loss back, so the step has finished
      ts.push((performance.now() - t0) / 1000);
    }
    const m = median(ts);
    console.log(`${label.padEnd(28)} ${m.toFixed(2)} s/step (median of ${steps}: ${ts.map((t) => t.toFixed(2)).join(', ')})`);
    return m;
  };

  unregisterWasmFastPaths();
  const stock = time('wasm, stock matmul kernels');
  registerWasmFastPaths();
  const fast = time('wasm + core fast paths');
  console.log(`speed-up from the fast paths: ${(stock / fast).toFixed(2)}x`);

  const before = tf.memory().numTensors;
  for (let i = 0; i < leakSteps; i++) trainStep(model, opt, x, y, { lr: 1e-3 });
  const after = tf.memory().numTensors;
  console.log(`tensors before/after ${leakSteps} steps: ${before} / ${after} ${before === after ? '(no leak)' : '(LEAK)'}`);
  if (before !== after) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
