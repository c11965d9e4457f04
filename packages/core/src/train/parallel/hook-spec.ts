import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BlockModel } from '../../models/block-model';
import { TrainingError } from '../errors';

/**
 * A serializable recipe that re-creates hooks on a model replica inside a worker thread: the
 * module is imported there and `module[export](model, options)` is called (it may be async).
 * Hooks are closures over tensors, so they cannot be sent to a worker; their construction can.
 *
 * Rules: `module` is a package name (`'@acn/vcon'`-style, resolved from the worker entry) or an
 * absolute path / `file:` URL (e.g. `import.meta.url` of the file that defines the function);
 * `options` must survive `structuredClone` (plain data: no functions, no tensors); the function
 * must be deterministic given the model's weights, since each replica runs it independently.
 * Apply the same specs to the main model with {@link attachHookSpecs} so both sides match; the
 * trainer checks that the replica ends up with the same hook names and weight layout.
 *
 * @example
 * ```ts
 * // hooks.ts
 * export function withVcon(model: BlockModel, o: { Q: number }) { model.hooks.attach(vcon(compressor, o)); }
 * // train.ts
 * const specs = [{ module: new URL('./hooks.ts', import.meta.url).href, export: 'withVcon', options: { Q: 300 } }];
 * await attachHookSpecs(model, specs);
 * await train(model, data, { epochs: 1, workers: 2, workerHooks: specs });
 * ```
 */
export interface WorkerHookSpec {
  readonly module: string;
  /** Export name, default `'default'`. */
  readonly export?: string;
  /** Plain data passed as the second argument. */
  readonly options?: unknown;
}

/** Throws a `TrainingError` naming the problem when `specs` cannot be sent to a worker. */
export function checkHookSpecs(specs: readonly WorkerHookSpec[]): void {
  specs.forEach((s, i) => {
    if (!s || typeof s.module !== 'string' || s.module.length === 0) throw new TrainingError(`workerHooks[${i}].module must be a non-empty string`);
    if (s.module.startsWith('.')) {
      throw new TrainingError(`workerHooks[${i}].module '${s.module}' is relative; use a package name, an absolute path or a file: URL (e.g. new URL('./hooks.ts', import.meta.url).href)`);
    }
    if (s.export !== undefined && typeof s.export !== 'string') throw new TrainingError(`workerHooks[${i}].export must be a string`);
    try {
      structuredClone(s.options);
    } catch (e) {
      throw new TrainingError(`workerHooks[${i}].options cannot be sent to a worker (plain data only): ${(e as Error).message}`);
    }
  });
}

const specifierOf = (module: string): string => (isAbsolute(module) ? pathToFileURL(module).href : module);

/**
 * Runs each spec's function on `model`, in order (main thread and workers alike).
 *
 * @example
 * ```ts
 * await attachHookSpecs(model, [{ module: '/abs/hooks.js', export: 'identityOnDense' }]);
 * ```
 */
export async function attachHookSpecs(model: BlockModel, specs: readonly WorkerHookSpec[]): Promise<void> {
  checkHookSpecs(specs);
  for (const [i, s] of specs.entries()) {
    const name = s.export ?? 'default';
    const mod = (await import(/* @vite-ignore */ specifierOf(s.module))) as Record<string, unknown>;
    const fn = mod[name];
    if (typeof fn !== 'function') throw new TrainingError(`workerHooks[${i}]: module '${s.module}' has no function export '${name}'`);
    await fn(model, s.options);
  }
}
