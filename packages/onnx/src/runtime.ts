/**
 * Loads onnxruntime on demand. `onnxruntime-node` and `onnxruntime-web` are optional peer
 * dependencies: nothing in this package imports them statically, so exporting works without them,
 * and running fails with a clear message naming the package to install.
 */
import { OnnxError } from './errors';

/**
 * The part of the onnxruntime API (shared by `onnxruntime-node` and `onnxruntime-web`) this
 * package uses.
 *
 * @example
 * ```ts
 * const ort: OrtModule = await loadOnnxRuntime('node');
 * ```
 */
export interface OrtModule {
  readonly InferenceSession: {
    create(bytes: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession>;
  };
  readonly Tensor: new (type: 'float32' | 'int32', data: Float32Array | Int32Array, dims: readonly number[]) => OrtTensor;
}

/** An onnxruntime tensor (what `run` returns). */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
}

/** An onnxruntime inference session. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}

/** Which runtime package: `node` = onnxruntime-node (native CPU), `web` = onnxruntime-web (wasm). */
export type OrtFlavor = 'node' | 'web';

const PACKAGES: Record<OrtFlavor, string> = { node: 'onnxruntime-node', web: 'onnxruntime-web' };

/**
 * Imports `onnxruntime-node` or `onnxruntime-web`. Throws `OnnxError` (`runtime-missing`) naming
 * the package and how to install it without its network postinstall. `importer` replaces the
 * dynamic `import()` (bundlers that need a static one, tests).
 *
 * @example
 * ```ts
 * const ort = await loadOnnxRuntime('node');
 * const session = await ort.InferenceSession.create(exportOnnx(model).bytes);
 * ```
 */
export async function loadOnnxRuntime(flavor: OrtFlavor = 'node', importer: (specifier: string) => Promise<unknown> = (s) => import(/* @vite-ignore */ s)): Promise<OrtModule> {
  const name = PACKAGES[flavor];
  if (!name) throw new OnnxError('bad-option', `loadOnnxRuntime: flavor must be 'node' or 'web', got ${JSON.stringify(flavor)}`);
  try {
    // A variable specifier keeps bundlers from resolving the optional peer at build time.
    const mod = (await importer(name)) as OrtModule & { default?: OrtModule };
    return mod.InferenceSession ? mod : (mod.default as OrtModule);
  } catch (e) {
    throw new OnnxError(
      'runtime-missing',
      `@acn/onnx: running a model needs the optional peer dependency '${name}', which could not be loaded (${(e as Error).message}). ` +
        `Install it: 'pnpm add ${name}' (pnpm skips its install script) or 'npm install ${name}${flavor === 'node' ? ' --onnxruntime-node-install=skip' : ''}'.`,
    );
  }
}
