/**
 * How blocks are wired (acn.md §1.1, §3.1–3.4); each name has a strategy object in
 * `../connectivity/` (one file each), used by the single block loop `walkPrefixes`:
 *
 * - `acn` (auto-compressing): `x_i = f_i(x_{i-1})`, output `y = x_0 + x_1 + … + x_L` (plain sum,
 *   embedding included). Blocks have no short residuals inside.
 * - `residual`: blocks keep their short (pre-LN) residuals, `x_i = x_{i-1} + F_i(x_{i-1})` at
 *   each sub-layer; output `y = x_L`.
 * - `feedforward`: `x_i = f_i(x_{i-1})`, output `y = x_L`; no skips at all.
 * - `densenet`: residual blocks; block i reads a learned projection of the concatenation of
 *   `x_0 … x_i` (initialised to their sum); output `y = x_L` (acn.md §3.4, the paper's DenseNet-Mixer).
 * - `denseformer`: residual blocks; after block i a learned depth-weighted average of `x_0 … x_{i+1}`
 *   (initialised to the identity) is the next input; output the last average (DenseFormer).
 */
export type Connectivity = 'acn' | 'residual' | 'feedforward' | 'densenet' | 'denseformer';

/** Every connectivity, for validation and CLIs (schemas and CLIs read this list). */
export const CONNECTIVITIES: readonly Connectivity[] = ['acn', 'residual', 'feedforward', 'densenet', 'denseformer'];

/** `CONNECTIVITIES` as the non-empty tuple `z.enum` takes. */
export const CONNECTIVITY_ENUM = CONNECTIVITIES as unknown as [Connectivity, ...Connectivity[]];
