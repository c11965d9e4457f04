/**
 * Which parameter paths belong to which block (acn.md §1.2: one block = one long connection).
 * Shared by the gradient-norm and direct-gradient analyses so both group gradients the same way.
 */

/**
 * Picks the parameters of block `i`:
 * - a string containing `<i>` is one exact path per block, e.g. `'blocks.<i>.channelMlp.fc1.kernel'`;
 * - a function returns that path for a 0-based block index.
 *
 * @example
 * ```ts
 * const p: BlockPattern = 'blocks.<i>.fc.kernel';
 * const q: BlockPattern = (i) => `blocks.${i}.channelMlp.fc2.kernel`;
 * ```
 */
export type BlockPattern = string | ((block: number) => string);

/**
 * The repository's representative matrix per Mixer block (`mixer_layers[i].mlp2.fc1.weight`,
 * acn.md §4.4, §4.5): the first matrix of the channel-mixing MLP.
 *
 * @example
 * ```ts
 * blockGradientNorms(grads, mixer.depth, { pattern: MIXER_REPRESENTATIVE_PATTERN });
 * ```
 */
export const MIXER_REPRESENTATIVE_PATTERN = 'blocks.<i>.channelMlp.fc1.kernel';

/**
 * Groups parameter paths by block. Without a pattern, block `i` owns every path that starts with
 * `blocks.<i>.` (the trailing dot keeps `blocks.1.` from matching `blocks.10.`); with a pattern it
 * owns exactly the one path the pattern names. Paths outside the block stack (embedding, head) are
 * ignored.
 *
 * Throws a `RangeError` when a block owns no path (wrong `depth`, wrong pattern, or a frozen block
 * without gradients) or when a path names a block index `>= depth`, because a silently empty or
 * truncated group would produce a wrong heatmap rather than an error.
 *
 * @example
 * ```ts
 * groupBlockPaths(Object.keys(grads), 2); // [['blocks.0.fc.kernel', 'blocks.0.fc.bias'], ['blocks.1.fc.kernel', ...]]
 * groupBlockPaths(Object.keys(grads), 16, MIXER_REPRESENTATIVE_PATTERN); // [['blocks.0.channelMlp.fc1.kernel'], ...]
 * ```
 */
export function groupBlockPaths(paths: readonly string[], depth: number, pattern?: BlockPattern): string[][] {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`depth must be an integer >= 1, got ${depth}`);
  const available = new Set(paths);
  if (pattern !== undefined) {
    return Array.from({ length: depth }, (_, i) => {
      const path = typeof pattern === 'function' ? pattern(i) : pattern.split('<i>').join(String(i));
      if (!available.has(path)) {
        throw new RangeError(`no gradient at '${path}' for block ${i} (pattern ${String(pattern)}); available: ${sample(paths)}`);
      }
      return [path];
    });
  }
  const groups: string[][] = Array.from({ length: depth }, () => []);
  for (const p of paths) {
    const m = /^blocks\.(\d+)\./.exec(p);
    if (!m) continue;
    const i = Number(m[1]);
    if (i >= depth) throw new RangeError(`gradient '${p}' belongs to block ${i}, but depth is ${depth}`);
    groups[i].push(p);
  }
  const empty = groups.findIndex((g) => g.length === 0);
  if (empty >= 0) throw new RangeError(`no gradient for block ${empty} (expected paths 'blocks.${empty}.*'; depth ${depth}); available: ${sample(paths)}`);
  return groups;
}

function sample(paths: readonly string[]): string {
  const head = paths.slice(0, 6).join(', ');
  return paths.length > 6 ? `${head}, … (${paths.length} in all)` : head || '(none)';
}
