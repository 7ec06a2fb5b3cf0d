/**
 * The converter's own edges (tools/onnx/tfjs-to-onnx.ts); its translation of FaceRes as a whole is
 * held to TF.js in test/face/faceres-onnx.test.ts. Half-precision values below are the IEEE 754
 * binary16 examples (1 = 0x3C00, −2 = 0xC000, the largest 65504 = 0x7BFF, the smallest
 * subnormal 2⁻²⁴ = 0x0001).
 */
import assert from 'node:assert/strict';
import { ConversionError, convertGraphModel, readWeights, transpose, type TfjsGraphModel } from '../../tools/onnx/tfjs-to-onnx';

const half = (bits: number[]): Uint8Array => {
  const b = Buffer.alloc(bits.length * 2);
  bits.forEach((h, i) => b.writeUInt16LE(h, i * 2));
  return b;
};

describe('TF.js → ONNX converter', () => {
  it('dequantises float16 weights exactly and reads int32 ones as they are', () => {
    const model: TfjsGraphModel = {
      modelTopology: {},
      weightsManifest: [{ paths: ['x.bin'], weights: [
        { name: 'w', shape: [4], dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } },
        { name: 'axes', shape: [2], dtype: 'int32' },
      ] }],
    };
    const axes = Buffer.alloc(8);
    axes.writeInt32LE(1, 0);
    axes.writeInt32LE(2, 4);
    const w = readWeights(model, Buffer.concat([half([0x3c00, 0xc000, 0x7bff, 0x0001]), axes]));
    assert.deepEqual(Array.from(w.get('w')?.values ?? []), [1, -2, 65504, 2 ** -24]);
    assert.deepEqual(Array.from(w.get('axes')?.values ?? []), [1, 2]);
    assert.throws(() => readWeights(model, half([0x3c00])), ConversionError, 'short weight data');
  });

  it('transposes HWIO to OIHW', () => {
    // A 1×2 kernel, 1 input channel, 2 output channels: HWIO [1,2,1,2] = [[[[a0,b0]],[[a1,b1]]]].
    const t = transpose(Float32Array.from([10, 20, 11, 21]), [1, 2, 1, 2], [3, 2, 0, 1]);
    assert.deepEqual(t.shape, [2, 1, 1, 2]);
    assert.deepEqual(Array.from(t.values), [10, 11, 20, 21]);
  });

  it('refuses an op it does not know, naming the node', () => {
    const model: TfjsGraphModel = {
      modelTopology: { node: [
        { name: 'x', op: 'Placeholder', attr: { shape: { shape: { dim: [{ size: '1' }, { size: '8' }, { size: '8' }, { size: '3' }] } } } },
        { name: 'y', op: 'Conv3D', input: ['x'] },
      ] },
      weightsManifest: [],
    };
    assert.throws(() => convertGraphModel(model, new Uint8Array(0), { outputs: ['y'], graphName: 't' }), (e: unknown) => e instanceof ConversionError && e.node === 'y' && e.op === 'Conv3D');
  });
});
