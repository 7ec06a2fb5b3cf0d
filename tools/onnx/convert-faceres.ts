/**
 * `npm run models:convert`: models/faceres.json + faceres.bin (human 3.3.6, float16 weights) →
 * models/faceres.onnx, the 1024-D descriptor (`global_pooling/Mean`) only (issue 14 §Speed).
 * Deterministic: re-running it must reproduce the sha256 in models/manifest.json
 * (test/face/faceres-onnx.test.ts checks that). `--out FILE` writes elsewhere.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { convertGraphModel, type TfjsGraphModel } from './tfjs-to-onnx';

export const FACERES_DESCRIPTOR_OUTPUT = 'global_pooling/Mean';

/** The ONNX bytes of FaceRes's descriptor graph, converted from the TF.js files in `modelDir`. */
export function convertFaceRes(modelDir: string): Uint8Array {
  const json = JSON.parse(readFileSync(join(modelDir, 'faceres.json'), 'utf8')) as TfjsGraphModel;
  const data = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(modelDir, p)))));
  return convertGraphModel(json, data, { outputs: [FACERES_DESCRIPTOR_OUTPUT], graphName: 'faceres-descriptor' });
}

if (require.main === module) {
  const modelDir = resolve(__dirname, '..', '..', 'models');
  const i = process.argv.indexOf('--out');
  const out = i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1] ?? '') : join(modelDir, 'faceres.onnx');
  const bytes = convertFaceRes(modelDir);
  writeFileSync(out, bytes);
  process.stdout.write(`${out}: ${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}\n`);
}
