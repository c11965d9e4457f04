/**
 * `pnpm --filter @acn/core bench:fused-elementwise`: the platform.md Mixer training step (32×32×3,
 * patch 4, D=128, token 64, channel 256, depth 8, batch 128, AdamW, mean pooling) on wasm with
 * core's wasm SIMD kernels (`src/backend/wasm-elementwise.ts`: fused GELU and LayerNorm, the
 * last-two-axes transpose, the zero-copy clone) on and off, interleaved in one process so that
 * machine load hits both alike. Prints per-round CPU and wall times, the paired off/on ratios and
 * their median, and (with `ACN_BENCH_BREAKDOWN=1`) the time per step of the main wasm kernels,
 * counting the transposes that run inside the matmul fast paths.
 *
 * Options (env): ACN_BENCH_ROUNDS (default 6), ACN_BENCH_BATCH (128), ACN_BENCH_BREAKDOWN (0).
 */
import { readFileSync } from 'node:fs';
import { wasmFusedElementwise } from '../src/backend/wasm-elementwise';
import { AdamW, createMixer, initBackend, tf, trainStep } from '../src/index';

const rounds = Number(process.env.ACN_BENCH_ROUNDS ?? 6);
const batch = Number(process.env.ACN_BENCH_BATCH ?? 128);
const breakdown = process.env.ACN_BENCH_BREAKDOWN === '1';
const TIMED_KERNELS = ['Transpose', 'Identity', 'Add', 'Multiply', 'Sub', 'Mean', 'Erf', 'Exp', 'AcnGelu', 'AcnLayerNorm', 'AcnLayerNormGrad', 'BatchMatMul', '_FusedMatMul'];

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wraps the registered wasm kernels in timers (after core registered its own wrappers). */
function timeKernels(): Record<string, number> {
  const ms: Record<string, number> = {};
  for (const name of TIMED_KERNELS) {
    const k = tf.getKernel(name, 'wasm');
    if (k == null) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const t0 = performance.now();
        const out = k.kernelFunc(args);
        ms[name] = (ms[name] ?? 0) + performance.now() - t0;
        return out;
      },
    });
  }
  return ms;
}

async function main(): Promise<void> {
  await initBackend('wasm'); // registers the fast paths and the fused kernels
  const kernelMs = breakdown ? timeKernels() : {};
  const model = createMixer({ inputShape: [32, 32, 3], numClasses: 10, patchSize: 4, hiddenDim: 128, tokenMlpDim: 64, channelMlpDim: 256, depth: 8, connectivity: 'residual', pooling: 'mean', seed: 0 });
  const x = tf.randomUniform([batch, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.randomUniform([batch], 0, 10, 'int32', 2);
  const opt = new AdamW({ weightDecay: 0.01 });
  const step = (): void => void trainStep(model, opt, x, y, { lr: 1e-3 });
  for (const on of [true, false]) {
    wasmFusedElementwise.enabled = on;
    step(); // warm-up: kernel setup, wasm tier-up, XNNPACK caches
    step();
  }
  console.log(`Mixer B=${batch} training step on wasm, fused elementwise kernels on vs off; load ${load()}; tensors ${tf.memory().numTensors}`);
  const res = { on: { cpu: [] as number[], wall: [] as number[], kernels: {} as Record<string, number> }, off: { cpu: [] as number[], wall: [] as number[], kernels: {} as Record<string, number> } };
  for (let r = 0; r < rounds; r++) {
    for (const on of r % 2 ? [false, true] : [true, false]) {
      wasmFusedElementwise.enabled = on;
      const side = on ? res.on : res.off;
      for (const k of Object.keys(kernelMs)) kernelMs[k] = 0;
      const c0 = cpuSeconds();
      const w0 = performance.now();
      step();
      side.cpu.push(cpuSeconds() - c0);
      side.wall.push((performance.now() - w0) / 1000);
      for (const [k, v] of Object.entries(kernelMs)) side.kernels[k] = (side.kernels[k] ?? 0) + v / rounds;
    }
    console.log(`round ${r}: on ${res.on.cpu.at(-1)!.toFixed(3)} s CPU (${res.on.wall.at(-1)!.toFixed(3)} wall), off ${res.off.cpu.at(-1)!.toFixed(3)} s CPU (${res.off.wall.at(-1)!.toFixed(3)} wall); load ${load()}`);
  }
  const ratios = res.on.cpu.map((c, i) => res.off.cpu[i] / c);
  console.log(`paired off/on CPU ratios ${ratios.map((q) => q.toFixed(3)).join(' ')}: median ${median(ratios).toFixed(3)}`);
  console.log(`median s/step: on ${median(res.on.cpu).toFixed(3)} CPU / ${median(res.on.wall).toFixed(3)} wall, off ${median(res.off.cpu).toFixed(3)} CPU / ${median(res.off.wall).toFixed(3)} wall; load ${load()}; tensors ${tf.memory().numTensors}`);
  if (breakdown) {
    console.log('kernel ms/step (mean)      on       off   (BatchMatMul/_FusedMatMul include the transposes they run)');
    for (const k of TIMED_KERNELS) {
      if (res.on.kernels[k] == null && res.off.kernels[k] == null) continue;
      console.log(`${k.padEnd(20)} ${(res.on.kernels[k] ?? 0).toFixed(1).padStart(9)} ${(res.off.kernels[k] ?? 0).toFixed(1).padStart(9)}`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
