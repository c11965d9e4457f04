#!/usr/bin/env bash
# Checks that data-parallel training works from the packed @acn/core tarball, in ESM and CJS:
# packs the built package, unpacks it into a scratch project whose other dependencies are links
# to this checkout's, and trains a tiny Mixer with `workers: 2` from `import` and from `require`.
# Usage: pnpm --filter @acn/core build && bash packages/core/bench/check-packed-workers.sh
set -euo pipefail
core="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$core" && npm pack --silent --pack-destination "$tmp" >/dev/null)
mkdir -p "$tmp/node_modules/@acn"
tar xzf "$tmp"/acn-core-*.tgz -C "$tmp"
mv "$tmp/package" "$tmp/node_modules/@acn/core"
for d in @tensorflow zod cli-progress; do ln -s "$core/node_modules/$d" "$tmp/node_modules/$d"; done
body='
await initBackend("wasm");
const n = 32, per = 64;
const inputs = new Float32Array(n * per).map((_, i) => ((i * 7919) % 101) / 101);
const labels = Int32Array.from({ length: n }, (_, i) => i % 4);
const data = { inputs, labels, count: n, sampleShape: [8, 8, 1], numClasses: 4 };
const m = createMixer({ inputShape: [8, 8, 1], numClasses: 4, patchSize: 4, hiddenDim: 8, tokenMlpDim: 6, channelMlpDim: 12, depth: 2, seed: 3 });
const r = await train(m, data, { epochs: 1, batchSize: 16, progress: "none", workers: 2 });
if (r.workers !== 2) throw new Error("workers did not start: " + r.workers);
console.log(FORMAT, "workers", r.workers, "loss", r.history[0].trainLoss.toFixed(4));'
printf 'import { initBackend, createMixer, train } from "@acn/core";\nconst FORMAT = "esm";\n%s\n' "$body" > "$tmp/t.mjs"
printf 'const { initBackend, createMixer, train } = require("@acn/core");\nconst FORMAT = "cjs";\n(async () => {%s\n})().catch((e) => { console.error(e); process.exit(1); });\n' "$body" > "$tmp/t.cjs"
(cd "$tmp" && node t.mjs && node t.cjs)
