/**
 * ONNX protobuf encoding through protobufjs over the official `onnx.proto` (vendored in
 * `vendor/`, Apache-2.0). Field names keep the schema's snake_case (`keepCase`), so the objects
 * built in `graph.ts` read like the ONNX spec. The schema is parsed once, lazily.
 */
import protobuf from 'protobufjs';
import { ONNX_PROTO_TEXT } from './vendor/onnx-proto-text';

let modelType: protobuf.Type | undefined;

function model(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO_TEXT, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/**
 * Encodes a plain `onnx.ModelProto` object (snake_case fields) to protobuf bytes; throws naming the
 * first field protobufjs rejects.
 *
 * @example
 * ```ts
 * const bytes = encodeModelProto({ ir_version: 9, opset_import: [{ domain: '', version: 20 }], graph });
 * ```
 */
export function encodeModelProto(proto: Record<string, unknown>): Uint8Array {
  const t = model();
  const err = t.verify(proto);
  if (err) throw new Error(`invalid onnx.ModelProto: ${err}`);
  return t.encode(t.create(proto)).finish();
}

/**
 * Decodes ONNX bytes to a plain object (int64 as numbers, bytes as Uint8Array): for tests and
 * inspection of exported files.
 *
 * @example
 * ```ts
 * const m = decodeModelProto(bytes); // m.graph.node[0].op_type
 * ```
 */
export function decodeModelProto(bytes: Uint8Array): OnnxModelObject {
  const t = model();
  return t.toObject(t.decode(bytes), { longs: Number, defaults: false, arrays: true }) as OnnxModelObject;
}

/** The parts of a decoded `onnx.ModelProto` that tests and reports read. */
export interface OnnxModelObject {
  readonly ir_version: number;
  readonly opset_import: ReadonlyArray<{ readonly domain?: string; readonly version: number }>;
  readonly graph: {
    readonly node: ReadonlyArray<{ readonly op_type: string; readonly domain?: string; readonly input: readonly string[]; readonly output: readonly string[]; readonly name?: string }>;
    readonly initializer: ReadonlyArray<{ readonly name: string; readonly data_type: number; readonly dims: readonly number[]; readonly raw_data?: Uint8Array }>;
    readonly input: ReadonlyArray<{ readonly name: string }>;
    readonly output: ReadonlyArray<{ readonly name: string }>;
  };
}
