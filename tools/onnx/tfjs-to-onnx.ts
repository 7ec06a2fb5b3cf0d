/**
 * A small, offline TF.js graph-model → ONNX converter (issue 14 §Speed): no converter is packaged
 * for this machine (tf2onnx needs TensorFlow), and FaceRes uses only a dozen TF ops, so the graph
 * is rewritten op by op and written with `onnx-proto` (ONNX's own onnx.proto compiled for
 * protobuf.js). Not device code: the device only loads the committed `.onnx` (models/manifest.json).
 *
 * What it does, and why:
 * - Weights: the TF.js shards are float16-quantised (`quantization.dtype: float16`); they are
 *   dequantised to float32 exactly as TF.js does at load time (IEEE half → single is exact), so
 *   both runtimes multiply by the same numbers.
 * - Layout: the input stays NHWC `[1, height, width, 3]` (what the product prepares, faceres.ts),
 *   with H and W symbolic (FaceRes ends in a global pooling, any side works), and one Transpose to
 *   NCHW, ONNX's convolution layout. Conv2D kernels HWIO → OIHW; DepthwiseConv2dNative kernels
 *   [H, W, C, M] → [C·M, 1, H, W] with group = C; per-channel constants of Add/Mul [C] → [1, C, 1, 1].
 * - TF 'SAME' padding puts the odd pixel at the end: ONNX auto_pad SAME_UPPER (same rule, and it
 *   works with symbolic H/W, where explicit pads could not be computed).
 * - Mean over NHWC axes → ReduceMean over the mapped NCHW axes (opset 13: axes is an attribute).
 * - Only the nodes the requested outputs need are converted (for FaceRes, `global_pooling/Mean`,
 *   the 1024-D descriptor: the age and gender heads are never run by the product).
 * The output is deterministic: the same inputs give the same bytes (no timestamps, fixed order).
 */
import { onnx } from 'onnx-proto';

/** The parts of a TF.js `model.json` the converter reads. */
export interface TfjsGraphModel {
  modelTopology: { node?: TfNode[] };
  weightsManifest: { paths: string[]; weights: TfWeightSpec[] }[];
}

interface TfAttr {
  s?: string;
  i?: string;
  b?: boolean;
  f?: number;
  type?: string;
  list?: { i?: string[]; s?: string[] };
  shape?: { dim?: { size: string }[] };
}

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

export interface TfWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: string; original_dtype?: string; scale?: number; min?: number };
}

/** A graph the converter cannot translate faithfully: which node, which op, and why. */
export class ConversionError extends Error {
  constructor(
    readonly node: string,
    readonly op: string,
    readonly reason: string,
  ) {
    super(`cannot convert node '${node}' (${op}): ${reason}`);
    this.name = 'ConversionError';
  }
}

export interface ConvertOptions {
  /** TF node names to expose as ONNX graph outputs. */
  outputs: string[];
  /** ONNX graph name and producer, recorded in the file. */
  graphName: string;
}

/** ONNX opset written (ReduceMean's axes attribute exists up to 17; 13 is read by every current runtime). */
export const OPSET = 13;
const IR_VERSION = 7;

interface Weight {
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

/** IEEE 754 half → single (exact; subnormals, infinities and NaN included). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Reads the weight shards in manifest order (the TF.js layout: one concatenated buffer), dequantising. */
export function readWeights(model: TfjsGraphModel, data: Uint8Array): Map<string, Weight> {
  const out = new Map<string, Weight>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  for (const spec of model.weightsManifest.flatMap((g) => g.weights)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const q = spec.quantization;
    if (q && !(q.dtype === 'float16' && spec.dtype === 'float32')) throw new ConversionError(spec.name, 'weight', `quantisation ${q.dtype} of ${spec.dtype} not supported`);
    const bytes = q ? 2 * n : 4 * n;
    if (offset + bytes > data.byteLength) throw new ConversionError(spec.name, 'weight', 'weight data shorter than the manifest says');
    let values: Float32Array | Int32Array;
    if (q) {
      values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
    } else if (spec.dtype === 'float32') {
      values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = view.getFloat32(offset + 4 * i, true);
    } else {
      values = new Int32Array(n);
      for (let i = 0; i < n; i++) values[i] = view.getInt32(offset + 4 * i, true);
    }
    out.set(spec.name, { shape: spec.shape, dtype: spec.dtype, values });
    offset += bytes;
  }
  if (offset !== data.byteLength) throw new ConversionError('(weights)', 'weight', `${data.byteLength - offset} bytes of weight data left over`);
  return out;
}

const decode = (s: string | undefined): string => (s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8'));

const attrInt = (name: string, i: number): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
const attrInts = (name: string, ints: number[]): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
const attrString = (name: string, s: string): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from(s, 'utf8') });

function float32Tensor(name: string, dims: number[], values: Float32Array): onnx.ITensorProto {
  const raw = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => raw.writeFloatLE(v, i * 4));
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw };
}

/** Reorders a row-major tensor of `shape` by `perm` (out axis k = in axis perm[k]). */
export function transpose(values: Float32Array, shape: number[], perm: number[]): { values: Float32Array; shape: number[] } {
  const outShape = perm.map((p) => shape[p] ?? 0);
  const inStrides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(values.length);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < idx.length; k++) src += (idx[k] ?? 0) * (inStrides[perm[k] ?? 0] ?? 0);
    out[o] = values[src] ?? 0;
    for (let k = idx.length - 1; k >= 0; k--) {
      idx[k] = (idx[k] ?? 0) + 1;
      if ((idx[k] ?? 0) < (outShape[k] ?? 0)) break;
      idx[k] = 0;
    }
  }
  return { values: out, shape: outShape };
}

/** NHWC axis → NCHW axis. */
const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1];

/** Converts the subgraph that `opts.outputs` need into a serialised ONNX ModelProto. */
export function convertGraphModel(model: TfjsGraphModel, weightData: Uint8Array, opts: ConvertOptions): Uint8Array {
  const weights = readWeights(model, weightData);
  const nodes = new Map((model.modelTopology.node ?? []).map((n) => [n.name, n]));
  const inputName = (ref: string): string => ref.replace(/^\^/, '').replace(/:0$/, '');

  // The nodes the outputs depend on, in a topological order (depth first from the outputs).
  const order: TfNode[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const node = nodes.get(name);
    if (!node) throw new ConversionError(name, '?', 'no such node in the graph');
    for (const i of node.input ?? []) visit(inputName(i));
    order.push(node);
  };
  for (const o of opts.outputs) visit(o);

  const onnxNodes: onnx.INodeProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  const graphInputs: onnx.IValueInfoProto[] = [];
  /** TF tensor name → ONNX tensor name of its value (activations in NCHW when 4-D). */
  const value = new Map<string, string>();
  /** Activations in NCHW layout (every 4-D tensor after the input's transpose). */
  const nchw = new Set<string>();
  const constant = (node: TfNode): Weight => {
    const w = weights.get(node.name);
    if (!w) throw new ConversionError(node.name, node.op, 'constant has no weight data');
    return w;
  };
  const constOf = (ref: string, user: TfNode): TfNode | undefined => {
    const n = nodes.get(inputName(ref));
    if (!n) throw new ConversionError(user.name, user.op, `input ${ref} not found`);
    return n.op === 'Const' ? n : undefined;
  };
  const activation = (ref: string, user: TfNode): string => {
    const v = value.get(inputName(ref));
    if (v === undefined) throw new ConversionError(user.name, user.op, `input ${ref} is not a converted activation`);
    return v;
  };
  const addInit = (t: onnx.ITensorProto): string => {
    initializers.push(t);
    return t.name ?? '';
  };
  const spatial = (node: TfNode, key: string): number[] => {
    const l = (node.attr?.[key]?.list?.i ?? ['1', '1', '1', '1']).map(Number);
    if (l.length !== 4 || l[0] !== 1 || l[3] !== 1) throw new ConversionError(node.name, node.op, `${key} ${l.join(',')} not of the form [1, h, w, 1]`);
    return [l[1] ?? 1, l[2] ?? 1];
  };
  const convAttrs = (node: TfNode, kh: number, kw: number): onnx.IAttributeProto[] => {
    if (decode(node.attr?.data_format?.s) !== 'NHWC' && node.attr?.data_format?.s !== undefined) throw new ConversionError(node.name, node.op, 'only NHWC data_format');
    const padding = decode(node.attr?.padding?.s);
    const attrs = [attrInts('kernel_shape', [kh, kw]), attrInts('strides', spatial(node, 'strides')), attrInts('dilations', spatial(node, 'dilations'))];
    if (padding === 'SAME') attrs.push(attrString('auto_pad', 'SAME_UPPER')); // TF: the extra pixel at the end
    else if (padding === 'VALID') attrs.push(attrInts('pads', [0, 0, 0, 0]));
    else throw new ConversionError(node.name, node.op, `padding '${padding}' not supported`);
    return attrs;
  };

  for (const node of order) {
    const ins = node.input ?? [];
    const out = node.name;
    switch (node.op) {
      case 'Const':
        break; // materialised by the op that uses it, in the layout that op needs
      case 'Placeholder': {
        const dims = node.attr?.shape?.shape?.dim?.map((d) => Number(d.size)) ?? [];
        if (dims.length !== 4 || dims[3] !== 3) throw new ConversionError(out, node.op, 'expected an NHWC image input [N, H, W, 3]');
        graphInputs.push({
          name: out,
          type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 1 }, { dimParam: 'height' }, { dimParam: 'width' }, { dimValue: 3 }] } } },
        });
        const t = `${out}/nchw`;
        onnxNodes.push({ name: t, opType: 'Transpose', input: [out], output: [t], attribute: [attrInts('perm', [0, 3, 1, 2])] });
        value.set(out, t);
        nchw.add(t);
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2dNative': {
        const k = constOf(ins[1] ?? '', node);
        if (!k) throw new ConversionError(out, node.op, 'kernel is not a constant');
        const w = constant(k);
        const [kh = 0, kw = 0, cin = 0, m = 0] = w.shape;
        const x = activation(ins[0] ?? '', node);
        let kernel: onnx.ITensorProto;
        const attrs = convAttrs(node, kh, kw);
        if (node.op === 'Conv2D') {
          const t = transpose(w.values as Float32Array, w.shape, [3, 2, 0, 1]); // HWIO → OIHW
          kernel = float32Tensor(`${k.name}/oihw`, t.shape, t.values);
        } else {
          // [H, W, C, M] → [C, M, H, W] = [C·M, 1, H, W]: output channel c·M + m, as TF orders them.
          const t = transpose(w.values as Float32Array, w.shape, [2, 3, 0, 1]);
          kernel = float32Tensor(`${k.name}/c1hw`, [cin * m, 1, kh, kw], t.values);
          attrs.push(attrInt('group', cin));
        }
        onnxNodes.push({ name: out, opType: 'Conv', input: [x, addInit(kernel)], output: [out], attribute: attrs });
        value.set(out, out);
        nchw.add(out);
        break;
      }
      case 'Add':
      case 'Mul':
      case 'Minimum':
      case 'Maximum': {
        const opType = { Add: 'Add', Mul: 'Mul', Minimum: 'Min', Maximum: 'Max' }[node.op];
        if (ins.length !== 2) throw new ConversionError(out, node.op, 'expected two inputs');
        const c = ins.map((i) => constOf(i, node));
        if (c[0] && c[1]) throw new ConversionError(out, node.op, 'two constant inputs (fold them first)');
        const actIndex = c[0] ? 1 : 0;
        const x = activation(ins[actIndex] ?? '', node);
        let other: string;
        const cn = c[1 - actIndex];
        if (cn) {
          const w = constant(cn);
          if (w.dtype !== 'float32') throw new ConversionError(out, node.op, 'non-float constant');
          if (w.shape.length === 0 || (w.shape.length === 1 && w.shape[0] === 1)) other = addInit(float32Tensor(cn.name, [], w.values as Float32Array));
          else if (w.shape.length === 1 && nchw.has(x)) other = addInit(float32Tensor(`${cn.name}/c11`, [1, w.shape[0] ?? 0, 1, 1], w.values as Float32Array)); // per channel
          else throw new ConversionError(out, node.op, `constant of shape [${w.shape.join(',')}] not supported`);
        } else {
          other = activation(ins[1 - actIndex] ?? '', node);
        }
        const inputs = actIndex === 0 ? [x, other] : [other, x];
        onnxNodes.push({ name: out, opType, input: inputs, output: [out] });
        value.set(out, out);
        if (nchw.has(x)) nchw.add(out);
        break;
      }
      case 'Relu':
      case 'Sigmoid': {
        const x = activation(ins[0] ?? '', node);
        onnxNodes.push({ name: out, opType: node.op, input: [x], output: [out] });
        value.set(out, out);
        if (nchw.has(x)) nchw.add(out);
        break;
      }
      case 'Mean': {
        const x = activation(ins[0] ?? '', node);
        const a = constOf(ins[1] ?? '', node);
        if (!a) throw new ConversionError(out, node.op, 'reduction axes are not a constant');
        const axes = Array.from(constant(a).values).map((v) => (nchw.has(x) ? (NHWC_TO_NCHW_AXIS[v] ?? -1) : v));
        const keep = node.attr?.keep_dims?.b === true;
        if (nchw.has(x) && keep) throw new ConversionError(out, node.op, 'keep_dims on an image tensor would need a transpose back');
        onnxNodes.push({ name: out, opType: 'ReduceMean', input: [x], output: [out], attribute: [attrInts('axes', axes), attrInt('keepdims', keep ? 1 : 0)] });
        value.set(out, out);
        break;
      }
      default:
        throw new ConversionError(out, node.op, 'op not supported by this converter');
    }
  }

  const graph: onnx.IGraphProto = {
    name: opts.graphName,
    node: onnxNodes,
    initializer: initializers,
    input: graphInputs,
    output: opts.outputs.map((o) => ({ name: value.get(o) ?? o, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } })),
  };
  const modelProto = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'face-card-reader tools/onnx/tfjs-to-onnx.ts',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  });
  return onnx.ModelProto.encode(modelProto).finish();
}
