// ESM consumer smoke test, run inside the temporary npm project where the packed tarballs are
// installed: every package imports, its key exports exist, and core + prune really compute.
// Usage: node esm-smoke.mjs @acn/core @acn/prune ...
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync(new URL('./smoke.shared.json', import.meta.url), 'utf8'));
const names = process.argv.slice(2);
const mods = {};
for (const name of names) {
  mods[name] = await import(name);
  const exported = Object.keys(mods[name]);
  assert.ok(exported.length > 0, `${name}: no exports`);
  for (const key of spec.keyExports[name] ?? []) assert.ok(key in mods[name], `${name}: missing export ${key}`);
}

const core = mods['@acn/core'];
const lines = [];
const info = await core.initBackend('auto', { log: (l) => lines.push(l) });
// tfjs-backend-wasm is a peer of core, so npm installs it and 'auto' must pick wasm.
assert.equal(info.name, 'wasm', `initBackend('auto') chose ${info.name}`);
assert.equal(lines.length, 1);
assert.match(lines[0], /tfjs backend 'wasm'/);

const tf = core.tf;
const before = tf.memory().numTensors;
const model = core.createMlp(spec.mlp);
const cost = core.modelCost(model);
assert.equal(cost.total.flops, spec.flops);
assert.equal(cost.total.params, spec.params);
if (mods['@acn/metrics']) assert.equal(mods['@acn/metrics'].modelCost, core.modelCost, 'metrics must re-export core\'s modelCost (one copy of core)');
if (mods['@acn/prune']) {
  const prune = mods['@acn/prune'];
  const h = model.hooks.attach(core.compressorHook(prune.magnitudePruning({ sparsity: 0.5 })));
  const report = prune.sparsityReport(model);
  assert.ok(report.total.sparsity > 0.4 && report.total.sparsity < 0.6, `sparsity ${report.total.sparsity}`);
  h.dispose();
}
const x = tf.ones([2, 6]);
const y = model.predict(x);
assert.deepEqual(y.shape, [2, 3]);
tf.dispose([x, y]);
model.dispose();
assert.equal(tf.memory().numTensors, before, 'tensors leaked');
console.log(`esm smoke: ok (${names.length} packages; ${lines[0]})`);
