import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey, randomBytes } from 'node:crypto';
import { findPersona, type Persona } from '../../rig/personas/catalogue';
import { loadCardFaceRig, type CardFaceRig } from '../../rig/personas/card-face-credentials';
import { buildCardFaceFiles, buildCardTextFiles, type CardFaceFiles } from '../../rig/emulator/card-face/files';
import { CardFaceApplication, KEY_CODE_B, KEY_BIRTH_DATE } from '../../rig/emulator/apps/card-face-ap';
import { CardTextApplication, KEY_TEXT_PIN } from '../../rig/emulator/apps/card-text-ap';
import type { CommandApdu } from '../../rig/emulator/card-application';
import { parseCardFaceRecord, CARD_FACE_TAGS } from '../../src/card-face/card-face-record';
import { parseCvCertificate, verifyCvCertificate, verifyDigestInfo, sha256DigestInfo, sha256 } from '../../src/card-face/card-crypto';
import { decodeCommand, parseTemplate } from '../../src/iso7816';
import { codeB } from '../../src/card-face/japanese-era';
import { decodeGreyJp2, isJp2 } from '../../src/card-face/jpeg2000';

const cmd = (cla: number, ins: number, p1: number, p2: number, data: Buffer = Buffer.alloc(0), le?: number): CommandApdu => ({ cla, ins, p1, p2, data, le, extended: false });
const selectEf = (fid: number): CommandApdu => cmd(0x00, 0xa4, 0x02, 0x0c, Buffer.from([fid >> 8, fid & 0xff]));
const verify = (value?: string): CommandApdu => cmd(0x00, 0x20, 0x00, 0x80, value === undefined ? Buffer.alloc(0) : Buffer.from(value, 'ascii'));
/** READ BINARY as the bytes a reader sends, `00 B0 P1 P2 Le` (a short Le field of 00 asks for 256 bytes). */
const read = (offset: number, leField: number): CommandApdu => decodeCommand(Buffer.from([0x00, 0xb0, offset >> 8, offset & 0xff, leField]));

function persona(name: string): Persona {
  const p = findPersona(name);
  if (!p) throw new Error(name);
  return p;
}

describe('券面事項確認AP (emulated)', function () {
  this.timeout(120_000);
  let dir: string;
  let rig: CardFaceRig;
  let files: CardFaceFiles;
  let app: CardFaceApplication;
  const valid = persona('valid');
  const code = codeB(valid.person.birthDate, valid.cardExpiry, valid.securityCode);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fcr-cardface-'));
    rig = await loadCardFaceRig({ dir });
    files = await buildCardFaceFiles(valid, await rig.persona('valid'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    app = new CardFaceApplication(files, (await rig.persona('valid')).cardKey);
  });

  it('builds 照合番号B from the era birth date, expiry year and security code', () => {
    assert.equal(code, `330401` + '2032' + '4821');
    assert.equal(files.codeB, code);
  });

  it('empty VERIFY reports 10 tries without spending one', () => {
    assert.equal(app.handle(selectEf(KEY_CODE_B)).sw, 0x9000);
    assert.equal(app.handle(verify()).sw, 0x63ca);
    assert.equal(app.handle(verify()).sw, 0x63ca);
    assert.equal(app.triesLeft(KEY_CODE_B), 10);
  });

  it('counts down 63Cx, answers 63C0 on the attempt that exhausts it and 6984 after', () => {
    app.handle(selectEf(KEY_CODE_B));
    for (let left = 9; left >= 1; left--) assert.equal(app.handle(verify('00000000000000')).sw, 0x63c0 | left);
    assert.equal(app.handle(verify('00000000000000')).sw, 0x63c0);
    assert.equal(app.handle(verify(code)).sw, 0x6984, 'even the right code is refused once blocked');
    assert.equal(app.handle(verify()).sw, 0x63c0);
  });

  it('a right code resets the counter; reset() drops the security state but not the counter', () => {
    app.handle(selectEf(KEY_CODE_B));
    assert.equal(app.handle(verify('12345678901234')).sw, 0x63c9);
    assert.equal(app.handle(verify(code)).sw, 0x9000);
    assert.equal(app.triesLeft(KEY_CODE_B), 10);
    app.handle(verify('12345678901234'));
    app.reset();
    assert.equal(app.triesLeft(KEY_CODE_B), 9);
    app.handle(selectEf(0x0002));
    assert.equal(app.handle(read(0, 0)).sw, 0x6982);
  });

  it('applies the real access rules: 0003/0004 free, 0002 after 照合番号B, 0001 only after the birth date', () => {
    app.handle(selectEf(0x0004));
    assert.equal(app.handle(read(0, 0)).sw, 0x9000);
    app.handle(selectEf(0x0003));
    assert.equal(app.handle(read(0, 0)).sw, 0x9000);
    app.handle(selectEf(0x0002));
    assert.equal(app.handle(read(0, 0)).sw, 0x6982);
    app.handle(selectEf(KEY_CODE_B));
    assert.equal(app.handle(verify(code)).sw, 0x9000);
    app.handle(selectEf(0x0002));
    const first = app.handle(read(0, 0));
    assert.equal(first.sw, 0x9000);
    assert.equal(first.data.length, 256);
    app.handle(selectEf(0x0001));
    assert.equal(app.handle(read(0, 0)).sw, 0x6982, '照合番号B does not open the age record');
    app.handle(selectEf(KEY_BIRTH_DATE));
    assert.equal(app.handle(verify('330401')).sw, 0x9000);
    app.handle(selectEf(0x0001));
    assert.equal(app.handle(read(0, 0)).sw, 0x9000);
    assert.equal(app.handle(selectEf(0x0009)).sw, 0x6a82);
  });

  it('EF 0002 has the FF20/DF21 layout, a greyscale JP2 photo and an issuer signature over three digests', async () => {
    const { children } = parseTemplate(files.ef0002, 0xff20);
    assert.deepEqual(children.map((c) => c.tag), [0xdf21, ...CARD_FACE_TAGS]);
    const rec = parseCardFaceRecord(files.ef0002);
    assert.equal(rec.birthDate, '19580401');
    assert.equal(rec.sex, '1');
    assert.equal(rec.expiry, '20320401');
    assert.equal(rec.expectedDigestInfo.length, 19 + 96);
    const cert = parseCvCertificate(files.ef0004);
    assert.ok(verifyCvCertificate(cert, rig.rigTrustAnchor.publicKey), 'EF 0004 is certified by the rig anchor');
    assert.ok(verifyDigestInfo(cert.publicKey, rec.signature, rec.expectedDigestInfo), 'DF28 verifies with the EF 0004 key');
    assert.ok(isJp2(rec.photo));
    const photo = await decodeGreyJp2(rec.photo);
    assert.ok(photo.width > 100 && photo.height > 100);
  });

  it('80 2A 00 00 signs a challenge with the DF24 key without any credential', () => {
    const di = sha256DigestInfo(sha256(randomBytes(32)));
    const r = app.handle(cmd(0x80, 0x2a, 0x00, 0x00, di, 0));
    assert.equal(r.sw, 0x9000);
    const rec = parseCardFaceRecord(files.ef0002);
    assert.ok(verifyDigestInfo(rec.cardPublicKey, r.data, di));
    assert.equal(app.handle(cmd(0x80, 0x2a, 0x00, 0x80, di, 0)).sw, 0x6a86);
  });

  it('code-b-low starts with 3 tries; the attack personas carry their attack', async () => {
    const low = await buildCardFaceFiles(persona('code-b-low'), await rig.persona('code-b-low'));
    const lowApp = new CardFaceApplication(low, (await rig.persona('code-b-low')).cardKey);
    lowApp.handle(selectEf(KEY_CODE_B));
    assert.equal(lowApp.handle(verify()).sw, 0x63c3);

    const forged = await buildCardFaceFiles(persona('forged-photo'), await rig.persona('forged-photo'));
    const fr = parseCardFaceRecord(forged.ef0002);
    assert.equal(verifyDigestInfo(parseCvCertificate(forged.ef0004).publicKey, fr.signature, fr.expectedDigestInfo), false);

    const cloned = await rig.persona('cloned-files');
    assert.notDeepEqual(createPublicKey(cloned.cardKey).export({ format: 'jwk' }), cloned.df24PublicKey.export({ format: 'jwk' }));

    const unknown = await rig.persona('unknown-issuer');
    assert.equal(verifyCvCertificate(parseCvCertificate(unknown.issuerCertificate), rig.rigTrustAnchor.publicKey), false);
  });

  it('caches keys: a second load of the same directory gives the same issuer certificate', async () => {
    const again = await buildCardFaceFiles(valid, await rig.persona('valid'));
    assert.deepEqual(again.ef0004, files.ef0004);
  });
});

describe('券面事項入力補助AP (emulated)', () => {
  const p = persona('valid');
  it('opens EF 0002 with the PIN and counts its own 3 tries', () => {
    const text = new CardTextApplication(buildCardTextFiles(p), { pin: '1234' });
    text.handle(selectEf(0x0002));
    assert.equal(text.handle(read(0, 0)).sw, 0x6982);
    text.handle(selectEf(KEY_TEXT_PIN));
    assert.equal(text.handle(verify()).sw, 0x63c3);
    assert.equal(text.handle(verify('9999')).sw, 0x63c2);
    assert.equal(text.handle(verify('1234')).sw, 0x9000);
    text.handle(selectEf(0x0002));
    const r = text.handle(read(0, 0));
    assert.equal(r.sw, 0x9000);
    const { children } = parseTemplate(r.data, 0xff20);
    assert.deepEqual(children.map((c) => c.tag), [0xdf21, 0xdf22, 0xdf23, 0xdf24, 0xdf25]);
    assert.equal(children[1]?.value.toString('utf8'), p.person.nameKanji);
    assert.equal(children[3]?.value.toString('latin1'), '19580401');
    const table = children[0]?.value;
    assert.equal(table?.readUInt16BE(0), children[1]?.offset);
  });
  it('a face-only card has no PIN: 6984 even for the tries query', () => {
    const text = new CardTextApplication(buildCardTextFiles(persona('face-only')), { pin: undefined });
    text.handle(selectEf(KEY_TEXT_PIN));
    assert.equal(text.handle(verify()).sw, 0x6984);
    assert.equal(text.handle(verify('1234')).sw, 0x6984);
  });
});
