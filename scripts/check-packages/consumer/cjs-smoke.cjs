// CommonJS consumer smoke test: require() of every package resolves the `require` export
// condition (dist/index.cjs) and works. Usage: node cjs-smoke.cjs @acn/core @acn/prune ...
const assert = require('node:assert/strict');
const spec = require('./smoke.shared.json');

async function main() {
  const names = process.argv.slice(2);
  const mods = {};
  for (const name of names) {
    const resolved = require.resolve(name);
    assert.match(resolved, /\.cjs$/, `${name} resolved to ${resolved}, expected the CJS build`);
    mods[name] = require(name);
    for (const key of spec.keyExports[name] ?? []) assert.ok(key in mods[name], `${name}: missing export ${key}`);
  }
  const core = mods['@acn/core'];
  const info = await core.initBackend('auto', { log: false });
  assert.equal(info.name, 'wasm');
  const model = core.createMlp(spec.mlp);
  assert.equal(core.modelCost(model).total.flops, spec.flops);
  if (mods['@acn/metrics']) assert.equal(mods['@acn/metrics'].modelCost, core.modelCost);
  model.dispose();
  console.log(`cjs smoke: ok (${names.length} packages)`);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
