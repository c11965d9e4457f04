/**
 * Entry of a data-parallel training worker (one per thread): builds a replica of the main model on
 * its own backend, then answers step requests with its shard's loss and gradients, which it writes
 * into shared memory. Built as `dist/parallel-worker.{js,cjs}`; started by `DataParallelPool`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../backend/init-backend';
import { createModel } from '../../models/create-model';
import type { BlockModel } from '../../models/block-model';
import { tf } from '../../tf';
import { lossAndGradients } from '../train-step';
import { attachHookSpecs } from './hook-spec';
import { paramLayout, readWeights } from './param-layout';
import type { StepRequest, WorkerInit, WorkerReply } from './protocol';
import { threadCpuMs } from './thread-cpu';

const init = workerData as WorkerInit;
const port = parentPort;
const send = (m: WorkerReply): void => port!.postMessage(m);
const message = (e: unknown): string => (e instanceof Error ? `${e.message}` : String(e));

async function buildReplica(): Promise<BlockModel> {
  const info = await initBackend(init.backend.kind, { wasmFastPaths: init.backend.fastPaths });
  if (info.name !== init.backend.kind) throw new Error(`worker backend is '${info.name}', main thread uses '${init.backend.kind}'`);
  const model = createModel(init.config);
  model.applyStructure(init.structure);
  const weights = new Float32Array(init.buffers.weights);
  // Weights before hooks: a hook's setup may derive state from them (pruning masks, factors).
  readWeights(model, init.layout, weights, { skipMissing: true });
  await attachHookSpecs(model, init.hookSpecs);
  const names = model.hooks.attached.map((h) => h.name);
  if (names.join('\n') !== init.hookNames.join('\n')) {
    throw new Error(`replica hooks [${names.join(', ')}] differ from the main model's [${init.hookNames.join(', ')}]; workerHooks must rebuild exactly the attached hooks`);
  }
  const layout = paramLayout(model);
  if (layout.signature !== init.layout.signature) throw new Error('replica weight layout differs from the main model (structure or hook weights)');
  readWeights(model, layout, weights);
  return model;
}

function step(model: BlockModel, r: StepRequest): WorkerReply {
  const cpu0 = threadCpuMs();
  readWeights(model, init.layout, new Float32Array(init.buffers.weights));
  model.hooks.step(r.step);
  const per = init.sampleShape.reduce((a, b) => a * b, 1);
  const xs = new Float32Array(init.buffers.x, r.offset * per * 4, r.count * per).slice();
  const ys = new Int32Array(init.buffers.y, r.offset * 4, r.count).slice();
  // Same construction as makeBatch, so a one-worker step sees the same tensors as the main thread.
  const x = init.inputDtype === 'int32' ? tf.tensor(Int32Array.from(xs), [r.count, ...init.sampleShape], 'int32') : tf.tensor(xs, [r.count, ...init.sampleShape], 'float32');
  const y = tf.tensor1d(ys, 'int32');
  try {
    const { value, grads } = lossAndGradients(model, x, y, { labelSmoothing: init.labelSmoothing, probes: init.probes });
    try {
      const region = new Float32Array(init.buffers.grads, init.index * init.layout.trainableTotal * 4, init.layout.trainableTotal);
      const noGradient: string[] = [];
      for (const s of init.layout.slots) {
        if (!s.trainable) continue;
        const g = grads[s.path];
        if (g) region.set(g.dataSync() as Float32Array, s.gradOffset);
        else {
          // Not reached by the loss (tf.variableGrads omits it): the main thread omits it too.
          region.fill(0, s.gradOffset, s.gradOffset + s.size);
          noGradient.push(s.path);
        }
      }
      const loss = value.dataSync()[0];
      const cpu1 = threadCpuMs();
      return { type: 'done', loss, noGradient, numTensors: 0, cpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
    } finally {
      value.dispose();
      tf.dispose(Object.values(grads));
    }
  } finally {
    x.dispose();
    y.dispose();
  }
}

async function main(): Promise<void> {
  if (!port) throw new Error('parallel-worker must run in a worker thread');
  let model: BlockModel;
  try {
    model = await buildReplica();
  } catch (e) {
    send({ type: 'error', message: message(e) });
    return;
  }
  port.on('message', (r: StepRequest | { type: 'exit' }) => {
    if (r.type === 'exit') {
      model.dispose();
      port.close();
      return;
    }
    try {
      const reply = step(model, r);
      send(reply.type === 'done' ? { ...reply, numTensors: tf.memory().numTensors } : reply);
    } catch (e) {
      send({ type: 'error', message: message(e) });
    }
  });
  send({ type: 'ready' });
}

main().catch((e) => send({ type: 'error', message: message(e) }));
