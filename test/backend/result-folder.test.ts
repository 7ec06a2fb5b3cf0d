/**
 * Result files for the reception computer (issue 15): atomic, nationally named, one per
 * session, in the configured encoding; a full or unwritable folder is reported and retried,
 * never lost. Files are read back with iconv-lite and saxes (independent of our encoder).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { nodeResultFolderFs, ResultFolderWriter, type ResultFolderStatus } from '../../src/backend/result-folder';
import type { OqsResultDocument } from '../../src/backend/oqs-xml-mapping';
import { createLogger } from '../../src/log/logger';
import { find, oracleParse } from './xml-oracle';

const doc: OqsResultDocument = {
  facilityCode: '1319999999',
  processedAt: new Date('2026-12-01T00:30:00.000Z'),
  status: 'qualified',
  qualification: {
    insuredCardClassification: '01',
    insurerNumber: '06999001',
    insurerName: '架空商事健康保険組合',
    cardNumber: '1001',
    personalFamily: 'insured',
    name: '山田　太郎',
    nameKana: 'ﾔﾏﾀﾞ ﾀﾛｳ',
    birthDate: '1958-04-01',
    sex: 'male',
    burdenPercent: 30,
    qualificationStart: '2019-04-01',
    preschool: false,
    specifiedDiseases: [],
    publicSubsidies: [],
  },
  limitInfoConsented: true,
};

/** A fake timer: the retry runs only when the test says so (no sleeps). */
function manualTimer() {
  const pending: { fn: () => void; ms: number }[] = [];
  return {
    schedule: (fn: () => void, ms: number) => {
      const entry = { fn, ms };
      pending.push(entry);
      return () => pending.splice(pending.indexOf(entry), 1);
    },
    pending,
    fire() {
      const e = pending.shift();
      e?.fn();
    },
  };
}

describe('result folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fcr-result-folder-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one nationally named file per session, atomically, and never twice for a session', async () => {
    const folder = join(dir, 'reception');
    const w = new ResultFolderWriter({ folder, createFolder: true });
    assert.equal(w.submit('42', doc), true);
    assert.equal(w.submit('42', { ...doc, status: 'no-record', qualification: undefined }), false);
    await w.flush();
    const files = await readdir(folder);
    assert.deepEqual(files, ['OQSsiquc01res_face_42_20261201093000.xml']);
    assert.match(files[0] ?? '', /^OQSsiquc01res_.*\.xml$/);
    assert.match(files[0] ?? '', /^OQSsiquc01res_face_.+_(\d{14})\.xml$/);
    const tree = oracleParse(await readFile(join(folder, files[0] ?? ''), 'utf8'));
    assert.equal(find(tree, 'MessageBody/ResultList/ResultOfQualificationConfirmation/NameKana')?.text, 'ﾔﾏﾀﾞ ﾀﾛｳ');
    assert.deepEqual(w.status(), { state: 'ok', pending: 0, written: 1 });
  });

  it('writes Shift_JIS when configured: declaration, CharacterCodeIdentifier 1, bytes iconv-lite decodes', async () => {
    const w = new ResultFolderWriter({ folder: dir, encoding: 'shift_jis' });
    w.submit('7', doc);
    await w.flush();
    const [name] = await readdir(dir);
    const bytes = await readFile(join(dir, name ?? ''));
    assert.equal(bytes.includes(Buffer.from('山田', 'utf8')), false, 'not UTF-8');
    const text = iconv.decode(bytes, 'Shift_JIS');
    assert.match(text, /encoding="Shift_JIS"/);
    const tree = oracleParse(text);
    assert.equal(find(tree, 'MessageHeader/CharacterCodeIdentifier')?.text, '1');
    assert.equal(find(tree, 'MessageBody/ResultList/ResultOfQualificationConfirmation/Name')?.text, '山田　太郎');
  });

  it('an unwritable folder is reported (status and log) and retried until written; nothing is lost', async () => {
    const folder = join(dir, 'share');
    await writeFile(folder, 'not a directory'); // the share is "not mounted": the path is a file
    const timer = manualTimer();
    const lines: string[] = [];
    const log = createLogger('result-folder', { sink: { write: (l) => lines.push(l) } });
    const seen: ResultFolderStatus['state'][] = [];
    const w = new ResultFolderWriter({ folder, log, schedule: timer.schedule, retryDelayMs: 1000 });
    w.onStatus((s) => seen.push(s.state));
    w.submit('1', doc);
    w.submit('2', doc);
    await w.flush();
    const failing = w.status();
    assert.equal(failing.state, 'failing');
    assert.equal(failing.pending, 2);
    assert.equal(failing.lastError?.code, 'ENOTDIR');
    assert.equal(timer.pending.length, 1);
    assert.equal(timer.pending[0]?.ms, 1000);

    timer.fire(); // still broken: back-off doubles
    await w.flush();
    assert.equal(timer.pending[0]?.ms, 2000);

    await rm(folder);
    await mkdir(folder);
    timer.fire();
    await w.flush();
    assert.deepEqual(w.status(), { state: 'ok', pending: 0, written: 2 });
    assert.equal((await readdir(folder)).length, 2);
    assert.ok(seen.includes('failing') && seen.at(-1) === 'ok');
    // Logs name the session and the error code, never the document's contents.
    const all = lines.join('\n');
    assert.match(all, /ENOTDIR/);
    assert.doesNotMatch(all, /山田|ﾔﾏﾀﾞ|06999001|1958/);
  });

  it('a full disk (ENOSPC) leaves no temp file behind and the result stays queued', async () => {
    let full = true;
    const timer = manualTimer();
    const w = new ResultFolderWriter({
      folder: dir,
      schedule: timer.schedule,
      fs: {
        ...nodeResultFolderFs,
        async writeSynced(path, data) {
          await writeFile(path, data.subarray(0, 10)); // a partial write, then the disk is full
          if (full) throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
          await nodeResultFolderFs.unlink(path);
          await nodeResultFolderFs.writeSynced(path, data);
        },
      },
    });
    w.submit('9', doc);
    await w.flush();
    assert.equal(w.status().lastError?.code, 'ENOSPC');
    assert.deepEqual(await readdir(dir), [], 'the partial temp file was removed; no half file is visible');
    full = false;
    await w.retryNow();
    assert.deepEqual(await readdir(dir), ['OQSsiquc01res_face_9_20261201093000.xml']);
    assert.equal(w.status().pending, 0);
  });
});

describe('result folder configuration', () => {
  it('is off unless configured; the rig writes into <rig dir>/reception in UTF-8', async () => {
    const { defaultRigConfig } = await import('../../rig/rig-config');
    const { defaultRigDir } = await import('../../rig/personas/credentials');
    const rig = defaultRigConfig();
    assert.equal(rig.reception.resultFolder, join(defaultRigDir(), 'reception'));
    assert.equal(rig.reception.resultEncoding, 'utf-8');
    assert.equal(defaultRigConfig({ reception: { resultEncoding: 'shift_jis' } }).reception.resultEncoding, 'shift_jis');
  });
});

describe('result folder with the simulator', () => {
  it('the file the reader writes per session is the document the backend serves for that reception', async () => {
    const { resultDocumentFromConfirmation, resultDocumentFromXml } = await import('../../src/backend/oqs-xml-mapping');
    const { allConsents, pinRequest, startRig } = await import('./sim-fixture');
    const rig = await startRig();
    const dir = await mkdtemp(join(tmpdir(), 'fcr-result-sim-'));
    try {
      const device = rig.client();
      const reception = rig.client({ ...rig.sim.clientConfig('reception') });
      const w = new ResultFolderWriter({ folder: dir });
      const personas = ['valid', 'expiring-soon', 'expired-grace', 'qualification-invalid', 'no-record'] as const;
      const seqs: number[] = [];
      for (const persona of personas) {
        const r = await device.confirm(await pinRequest(rig, device, persona, persona === 'valid' ? { consents: allConsents() } : {}));
        const d = resultDocumentFromConfirmation(r, rig.sim.facilityCode);
        assert.ok(d, persona);
        w.submit(String(r.receptionSeq), d);
        seqs.push(r.receptionSeq);
      }
      await w.flush();
      const files = (await readdir(dir)).sort();
      assert.equal(files.length, personas.length);
      for (const seq of seqs) {
        const name = files.find((f) => f.startsWith(`OQSsiquc01res_face_${seq}_`));
        assert.ok(name, `file for reception ${seq}`);
        const bytes = await readFile(join(dir, name));
        assert.deepEqual(oracleParse(bytes.toString('utf8')), oracleParse(await reception.receptionXml(seq)), `reception ${seq}`);
        assert.notEqual(resultDocumentFromXml(bytes).status, 'unknown');
      }
    } finally {
      await rig.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
