/**
 * Child process of the checkpoint kill test (run with `node --import tsx`). It saves a chain of
 * checkpoints of a tiny MLP into `dir` and is killed in the middle of a save, by itself at an
 * injected point or by the parent at a random moment.
 *
 * argv: `dir killAt` where killAt is
 * - `count`: save once with a counting file system and print `ops <n>` (the protocol's length);
 * - `<n>` (>= 1): SIGKILL itself just before the n-th file-system operation of its first save;
 * - `loop`: save forever (the parent kills it at a random moment).
 *
 * Before each save it prints `begin <epoch> <sha256 of model.safetensors>`, after it `done <epoch>`,
 * so the parent knows the previous and the in-flight checkpoint. Each checkpoint continues the one
 * already in `dir` (epoch + 1), with weights and optimizer moments that are a function of the epoch.
 */
import * as fs from 'node:fs';
import { readManifest, saveCheckpoint } from '../checkpoint';
import { sha256Hex, tensorsToSafetensors } from '../../io';
import { createMlp } from '../../models/mlp';
import { tf } from '../../tf';
import { AdamW } from '../../train/adamw';
import { interceptedFs } from './fault-fs';
import { KILL_MODEL } from './kill-model';


function say(line: string): void {
  fs.writeSync(1, `${line}\n`); // synchronous: the parent must see it before a kill
}

async function main(): Promise<void> {
  const [dir, killAt] = process.argv.slice(2);
  await tf.setBackend('cpu');
  const model = createMlp({ ...KILL_MODEL, inputShape: [...KILL_MODEL.inputShape] });
  let epoch = 0;
  try {
    epoch = readManifest(dir).trainer?.epoch ?? 0;
  } catch {
    epoch = 0; // nothing complete yet
  }
  let ops = 0;
  let counting = false;
  const target = killAt === 'count' || killAt === 'loop' ? Infinity : Number(killAt);
  const countingFs = interceptedFs(() => {
    if (counting && ++ops >= target) process.kill(process.pid, 'SIGKILL');
  });
  for (;;) {
    epoch += 1;
    const weights = model.namedWeights();
    Object.values(weights).forEach((w, i) => tf.tidy(() => w.assign(tf.fill(w.shape, epoch + i / 100))));
    const opt = new AdamW();
    const m = Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, tf.fill(w.shape, epoch / 10)]));
    const v = Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, tf.fill(w.shape, epoch / 100)]));
    opt.setState({ step: epoch, m, v });
    tf.dispose([...Object.values(m), ...Object.values(v)]);
    const history = Array.from({ length: epoch }, (_, i) => ({ epoch: i + 1, step: i + 1, trainLoss: 0, lr: 0, seconds: 0 }));
    say(`begin ${epoch} ${sha256Hex(tensorsToSafetensors(weights, { format: 'acn-weights', architecture: 'mlp' }))}`);
    counting = killAt !== 'loop';
    saveCheckpoint(dir, { model, optimizer: opt, trainer: { epoch, step: epoch, rngState: epoch, history } }, { fs: countingFs });
    counting = false;
    opt.dispose();
    say(`done ${epoch}`);
    if (killAt === 'count') {
      say(`ops ${ops}`);
      return;
    }
    if (killAt !== 'loop') throw new Error(`kill point ${killAt} was never reached (${ops} operations)`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
