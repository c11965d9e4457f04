/**
 * A small builder for ONNX graphs: named initializers (weights, constants), nodes with unique
 * output names, typed inputs/outputs, and the `ModelProto` object that `proto.ts` encodes. It
 * also counts the bytes of every initializer, so export reports give the real stored size.
 */

/** ONNX `TensorProto.DataType` codes used here. */
export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;

/** Typed arrays an initializer can hold (the typed array fixes the element type). */
export type InitData = Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array;

/** Attribute values: numbers are ints unless listed in `floats` of `node()`; strings; int / float lists. */
export type AttrValue = number | string | readonly number[] | { readonly f: number } | { readonly floats: readonly number[] };

function dataType(d: InitData): number {
  if (d instanceof Float32Array) return DT.FLOAT;
  if (d instanceof Uint8Array) return DT.UINT8;
  if (d instanceof Int8Array) return DT.INT8;
  if (d instanceof Int32Array) return DT.INT32;
  return DT.INT64;
}

function attribute(name: string, v: AttrValue): Record<string, unknown> {
  // AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7
  if (typeof v === 'number') return { name, type: 2, i: v };
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: [...v] };
  if ('f' in (v as object)) return { name, type: 1, f: (v as { f: number }).f };
  return { name, type: 6, floats: [...(v as { floats: readonly number[] }).floats] };
}

/** One dimension of a graph input/output: a number, or a symbolic name (`batch`). */
export type Dim = number | string;

function valueInfo(name: string, elemType: number, dims: readonly Dim[]): Record<string, unknown> {
  const dim = dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } } };
}

/**
 * Builds one ONNX graph.
 *
 * @example
 * ```ts
 * const g = new GraphBuilder('mlp');
 * g.input('x', DT.FLOAT, ['batch', 6]);
 * const w = g.init('fc.kernel', new Float32Array(12), [6, 2]);
 * g.output(g.node('MatMul', ['x', w]), DT.FLOAT, ['batch', 2], 'logits');
 * const proto = g.model({ '': 20 });
 * ```
 */
export class GraphBuilder {
  private readonly nodes: Record<string, unknown>[] = [];
  private readonly inits: Record<string, unknown>[] = [];
  private readonly inputs: Record<string, unknown>[] = [];
  private readonly outputs: Record<string, unknown>[] = [];
  private readonly initNames = new Set<string>();
  private readonly constCache = new Map<string, string>();
  private counter = 0;
  /** Bytes of every initializer by name (payload only). */
  readonly initBytes = new Map<string, number>();
  /** Prefix of auto-generated value names (the layer being emitted), for readable graphs. */
  scope = '';

  constructor(readonly name: string) {}

  /** Declares a graph input. */
  input(name: string, elemType: number, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Declares a graph output; renames `value` to `as` through an Identity when a name is given. */
  output(value: string, elemType: number, dims: readonly Dim[], as?: string): string {
    const name = as ?? value;
    if (as !== undefined && as !== value) this.nodes.push({ op_type: 'Identity', input: [value], output: [as], name: `out/${as}` });
    this.outputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Adds a named initializer (e.g. a weight by its model path); names must be unique. */
  init(name: string, data: InitData, dims: readonly number[]): string {
    if (this.initNames.has(name)) throw new Error(`GraphBuilder: initializer '${name}' added twice`);
    const n = dims.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new Error(`GraphBuilder: initializer '${name}' has ${data.length} values for dims ${JSON.stringify(dims)}`);
    this.initNames.add(name);
    // raw_data is little-endian; typed arrays are in the platform's order (little-endian on every
    // platform tfjs and onnxruntime run on).
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.inits.push({ name, data_type: dataType(data), dims: [...dims], raw_data: raw });
    this.initBytes.set(name, raw.byteLength);
    return name;
  }

  /** A float32 constant (deduplicated by value), e.g. a scale or a shape-independent bias. */
  constF(values: readonly number[], dims: readonly number[] = values.length === 1 ? [] : [values.length]): string {
    return this.constant('f', Float32Array.from(values), dims);
  }

  /** An int64 constant (shapes, axes, indices), deduplicated by value. */
  constI64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant('i', BigInt64Array.from(values.map((v) => BigInt(v))), dims);
  }

  private constant(kind: string, data: InitData, dims: readonly number[]): string {
    const key = `${kind}:${dims.join('x')}:${Array.from(data as ArrayLike<number | bigint>).join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.init(`const/${this.constCache.size}`, data, dims);
    this.constCache.set(key, name);
    return name;
  }

  /** Adds a node with one output and returns its name. */
  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, domain = ''): string {
    return this.nodeN(op, inputs, 1, attrs, domain)[0];
  }

  /** Adds a node with `n` outputs. Empty strings in `inputs` mark omitted optional inputs. */
  nodeN(op: string, inputs: readonly string[], n: number, attrs: Record<string, AttrValue> = {}, domain = ''): string[] {
    const id = this.counter++;
    const base = `${this.scope ? `${this.scope}/` : ''}${op}_${id}`;
    const output = Array.from({ length: n }, (_, i) => (n === 1 ? base : `${base}:${i}`));
    const attribute_ = Object.entries(attrs).map(([k, v]) => attribute(k, v));
    this.nodes.push({ op_type: op, domain, input: [...inputs], output, name: base, attribute: attribute_ });
    return output;
  }

  /** The `onnx.ModelProto` object (to encode with `encodeModelProto`). */
  model(opsets: Record<string, number>, irVersion: number, docString = ''): Record<string, unknown> {
    return {
      ir_version: irVersion,
      producer_name: '@acn/onnx',
      producer_version: '0.1.0',
      doc_string: docString,
      opset_import: Object.entries(opsets).map(([domain, version]) => ({ domain, version })),
      graph: { name: this.name, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
    };
  }
}
