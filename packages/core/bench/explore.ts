import { loadEmbeddedFashionMnist } from '../../datasets/src/index';
import { createMixer, fromImageDataset, initBackend, train, type Connectivity } from '../src/index';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
await initBackend('wasm');
const trainSet = fromImageDataset(await loadEmbeddedFashionMnist({ split: 'train' }));
const testSet = fromImageDataset(await loadEmbeddedFashionMnist({ split: 'test' }));
const conn = (args.conn ?? 'acn') as Connectivity;
const m = createMixer({ inputShape: [28, 28, 1], numClasses: 10, patchSize: Number(args.patch ?? 7), hiddenDim: Number(args.d ?? 64), tokenMlpDim: Number(args.tok ?? 32), channelMlpDim: Number(args.ch ?? 256), depth: Number(args.depth ?? 8), connectivity: conn, seed: 0, postBlock: (args.post ?? 'none') as 'none' });
const t0 = Date.now();
await train(m, trainSet, {
  epochs: Number(args.epochs ?? 10), batchSize: Number(args.bs ?? 64), lr: Number(args.lr ?? 1e-3), warmupEpochs: Number(args.warm ?? 1), labelSmoothing: 0.1, clipNorm: 1,
  evalData: testSet, evalProbes: true, progress: 'none', seed: 0,
  callbacks: { onEpochEnd: (e) => console.log(conn, e.epoch, e.trainLoss.toFixed(3), (e.eval!.accuracy*100).toFixed(1), e.eval!.probeAccuracy!.map((a) => (a * 100).toFixed(0)).join(' '), `${((Date.now()-t0)/1000).toFixed(0)}s`) },
});
