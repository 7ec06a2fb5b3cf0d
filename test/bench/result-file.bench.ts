/**
 * `{"bench":"result-file",...}` (issue 15): time to build one national result document
 * (mapping + XML text, UTF-8 and Shift_JIS) and to write it into the result folder the way the
 * product does (temp file, fsync, rename, directory fsync), median of RUNS, on the machine's
 * temp file system. The record is the `valid` persona's with all consents.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resultDocumentToBytes, type OqsResultDocument } from '../../src/backend/oqs-xml-mapping';
import { ResultFolderWriter } from '../../src/backend/result-folder';
import { insuredPersonFor } from '../../rig/backend-simulator/insured-persons';
import { findPersona } from '../../rig/personas/catalogue';
import { median } from './stats';

const RUNS = 50;

export async function run(): Promise<void> {
  const persona = findPersona('valid');
  if (!persona) throw new Error('no persona valid');
  const q = insuredPersonFor(persona).qualification;
  const doc: OqsResultDocument = {
    facilityCode: '1319999999',
    processedAt: new Date(),
    status: 'qualified',
    ...(q ? { qualification: q } : {}),
    limitInfoConsented: true,
    consents: { surgeryDiagnosisInfection: true, clinicalAndMedication: true, medicationOnly: false, healthCheckups: true },
  };
  const build = (encoding: 'utf-8' | 'shift_jis') => {
    const xs: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      bytes = resultDocumentToBytes(doc, encoding).length;
      xs.push(performance.now() - t);
    }
    return { ms: median(xs), bytes };
  };
  const utf8 = build('utf-8');
  const sjis = build('shift_jis');
  const dir = await mkdtemp(join(tmpdir(), 'fcr-bench-result-'));
  try {
    const w = new ResultFolderWriter({ folder: dir });
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      w.submit(`b${i}`, doc);
      await w.flush();
      xs.push(performance.now() - t);
    }
    if (w.status().written !== RUNS) throw new Error(`wrote ${w.status().written} of ${RUNS}`);
    console.log(
      JSON.stringify({
        bench: 'result-file',
        runs: RUNS,
        buildUtf8Ms: utf8.ms,
        buildShiftJisMs: sjis.ms,
        bytesUtf8: utf8.bytes,
        bytesShiftJis: sjis.bytes,
        buildAndWriteMs: median(xs),
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
