/**
 * How blocks are wired (acn.md §1.1, §3.1–3.2):
 *
 * - `acn` (auto-compressing): `x_i = f_i(x_{i-1})`, output `y = x_0 + x_1 + … + x_L` (plain sum,
 *   embedding included). Blocks have no short residuals inside.
 * - `residual`: blocks keep their short (pre-LN) residuals, `x_i = x_{i-1} + F_i(x_{i-1})` at
 *   each sub-layer; output `y = x_L`.
 * - `feedforward`: `x_i = f_i(x_{i-1})`, output `y = x_L`; no skips at all.
 */
export type Connectivity = 'acn' | 'residual' | 'feedforward';

/** Every connectivity, for validation and CLIs. */
export const CONNECTIVITIES: readonly Connectivity[] = ['acn', 'residual', 'feedforward'];
