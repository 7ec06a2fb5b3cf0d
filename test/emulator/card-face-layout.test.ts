/**
 * The emulated 券面 files against a PUBLIC reader's documented layout (issue 13), not against our
 * own reader or the emulator's schema: the expected identifiers below are written out by hand
 * from AokiApp/jsapdu `packages/mynacard/src/schema.ts` and `constants.ts` (tag class + number,
 * member order, EF numbers), the RSA key form `90 e / 91 modulus` and the DF28 signature over
 * three SHA-256 digests from soltia48/myna-card (`data.rs`, `surface.rs`, as card-profile.ts
 * cites them). The walker is this file's own (X.690 §8.1.2–8.1.3, definite lengths only); it
 * imports nothing from `src/card-face` or `src/card`, nor asn1js.
 *
 * jsapdu TagClass → first identifier byte: Private constructed `FF`, Private primitive `DF`,
 * Application constructed `7F`, Application primitive `5F`, then the tag number (< 0x80, one byte).
 */
import assert from 'node:assert/strict';
import { createHash, publicDecrypt, verify, constants, createPublicKey } from 'node:crypto';
import { findPersona, type Persona } from '../../rig/personas/catalogue';
import { loadCardFaceRig } from '../../rig/personas/card-face-credentials';
import { buildCardFaceFiles, buildCardTextFiles, type CardFaceFiles } from '../../rig/emulator/card-face/files';
import { testRigDir } from './rig-fixture';

interface Obj {
  /** Identifier bytes, hex upper case (e.g. `FF20`). */
  tag: string;
  /** Length octets as written, hex (e.g. `82034A`). */
  lengthForm: string;
  value: Buffer;
  raw: Buffer;
  /** Offset of the first identifier byte in the buffer walked. */
  offset: number;
}

/** One BER object at `at` (X.690: identifier with high-tag-number form, definite length). */
function objectAt(buf: Buffer, at: number): Obj {
  let p = at;
  const first = buf[p++];
  assert.ok(first !== undefined, 'truncated identifier');
  if ((first & 0x1f) === 0x1f) {
    for (;;) {
      const b = buf[p++];
      assert.ok(b !== undefined, 'truncated identifier');
      if ((b & 0x80) === 0) break;
    }
  }
  const tag = buf.subarray(at, p).toString('hex').toUpperCase();
  const lenStart = p;
  const l0 = buf[p++];
  assert.ok(l0 !== undefined && l0 !== 0x80, 'definite length expected');
  let length = l0;
  if (l0 & 0x80) {
    length = 0;
    for (let i = 0; i < (l0 & 0x7f); i++) length = length * 256 + (buf[p++] ?? NaN);
  }
  const lengthForm = buf.subarray(lenStart, p).toString('hex').toUpperCase();
  assert.ok(p + length <= buf.length, `value of ${tag} runs past the end`);
  return { tag, lengthForm, value: buf.subarray(p, p + length), raw: buf.subarray(at, p + length), offset: at };
}

function members(buf: Buffer, start: number, end: number): Obj[] {
  const out: Obj[] = [];
  for (let p = start; p < end; ) {
    const o = objectAt(buf, p);
    out.push(o);
    p += o.raw.length;
  }
  return out;
}

/** A whole-file template: its identifier and its members (offsets from the file start). */
function template(file: Buffer): { tag: string; lengthForm: string; members: Obj[] } {
  const outer = objectAt(file, 0);
  assert.equal(outer.raw.length, file.length, 'the file is exactly one object');
  const valueStart = outer.raw.length - outer.value.length;
  return { tag: outer.tag, lengthForm: outer.lengthForm, members: members(file, valueStart, file.length) };
}

/** The minimal definite length octets X.690 §10.1 (DER) prescribes. */
function minimalLength(n: number): string {
  if (n < 0x80) return n.toString(16).padStart(2, '0').toUpperCase();
  const bytes = n.toString(16).padStart(n > 0xff ? 4 : 2, '0').toUpperCase();
  return `${(0x80 + bytes.length / 2).toString(16).toUpperCase()}${bytes}`;
}

const PNG = '89504e470d0a1a0a';
/** JP2 signature box (ISO/IEC 15444-1 Annex I). */
const JP2 = '0000000c6a5020200d0a870a';
const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

function persona(name: string): Persona {
  const p = findPersona(name);
  if (!p) throw new Error(name);
  return p;
}

/** 90 <e> 91 82 01 00 <256 bytes> (soltia48/myna-card): the key as both public readers take it. */
function assertRsaKey(value: Buffer, what: string): void {
  const [e, n, ...rest] = members(value, 0, value.length);
  assert.equal(e?.tag, '90', `${what}: exponent tag`);
  assert.equal(n?.tag, '91', `${what}: modulus tag`);
  assert.equal(n?.lengthForm, '820100', `${what}: 256-byte modulus in the 82 form`);
  assert.equal(rest.length, 0, `${what}: nothing after the modulus`);
}

describe('emulated 券面 files against the public readers\' documented layout', function () {
  this.timeout(120_000);
  let files: CardFaceFiles;
  const valid = persona('valid');

  before(async () => {
    const rig = await loadCardFaceRig({ dir: testRigDir() });
    files = await buildCardFaceFiles(valid, await rig.persona('valid'));
  });

  it('EF 0002 券面事項 is FF20 { DF21 offsets, DF22 … DF2A } with offsets from the file start (jsapdu schemaKenkakuEntries)', () => {
    const t = template(files.ef0002);
    assert.equal(t.tag, 'FF20');
    assert.deepEqual(
      t.members.map((m) => m.tag),
      ['DF21', 'DF22', 'DF23', 'DF24', 'DF25', 'DF26', 'DF27', 'DF28', 'DF29', 'DF2A'],
    );
    for (const m of t.members) assert.equal(m.lengthForm, minimalLength(m.value.length), `${m.tag}: minimal definite length`);
    assert.equal(t.lengthForm, minimalLength(files.ef0002.length - 1 - t.lengthForm.length / 2 - 1));
    const [table, ...rest] = t.members;
    assert.ok(table);
    // decodeOffsets: big-endian u16, one per following member; jsapdu slices the file itself with them.
    const offsets = Array.from({ length: table.value.length / 2 }, (_, i) => table.value.readUInt16BE(2 * i));
    assert.deepEqual(offsets, rest.map((m) => m.offset));
    const by = new Map(rest.map((m) => [m.tag, m]));
    assert.equal(by.get('DF22')?.value.toString('latin1'), '19580401');
    assert.equal(by.get('DF23')?.value.toString('latin1'), '1');
    assertRsaKey(by.get('DF24')?.value ?? Buffer.alloc(0), 'DF24');
    for (const png of ['DF25', 'DF26', 'DF2A']) assert.equal(by.get(png)?.value.subarray(0, 8).toString('hex'), PNG, `${png} is a PNG`);
    assert.equal(by.get('DF27')?.value.subarray(0, 12).toString('hex'), JP2, 'DF27 is a JP2 file');
    assert.equal(by.get('DF29')?.value.toString('latin1'), '20320401');
  });

  it('DF28 is PKCS#1 v1.5 over DigestInfo(sha256, SHA-256(DF22‖DF23‖DF24) ‖ SHA-256(DF25‖DF26) ‖ SHA-256(DF27)) by the EF 0004 key', () => {
    const by = new Map(template(files.ef0002).members.map((m) => [m.tag, m.raw]));
    const raw = (...tags: string[]): Buffer => Buffer.concat(tags.map((t) => by.get(t) ?? assert.fail(t)));
    const digests = Buffer.concat([sha256(raw('DF22', 'DF23', 'DF24')), sha256(raw('DF25', 'DF26')), sha256(raw('DF27'))]);
    // SEQUENCE { SEQUENCE { OID 2.16.840.1.101.3.4.2.1, NULL }, OCTET STRING (96) }, written out by hand.
    const expected = Buffer.concat([Buffer.from('3071300d060960864801650304020105000460', 'hex'), digests]);
    const cert = template(files.ef0004);
    const body = cert.members.find((m) => m.tag === '5F4E')?.value ?? assert.fail('5F4E');
    const key = members(body, 32, body.length);
    const issuerKey = createPublicKey({ key: { kty: 'RSA', n: key[1]?.value.toString('base64url') ?? '', e: key[0]?.value.toString('base64url') ?? '' }, format: 'jwk' });
    const signature = template(files.ef0002).members.find((m) => m.tag === 'DF28')?.value ?? assert.fail('DF28');
    assert.deepEqual(publicDecrypt({ key: issuerKey, padding: constants.RSA_PKCS1_PADDING }, signature), expected);
  });

  it('EF 0004 is 7F21 { 5F4E issuer id 16 ‖ subject id 16 ‖ key, 5F37 signature } (jsapdu schemaCertificate), signed SHA-256 over 5F4E', async () => {
    const t = template(files.ef0004);
    assert.equal(t.tag, '7F21');
    assert.deepEqual(t.members.map((m) => m.tag), ['5F4E', '5F37']);
    const body = t.members[0]?.value ?? Buffer.alloc(0);
    assert.equal(body.length, 16 + 16 + 265);
    assertRsaKey(body.subarray(32), '5F4E key');
    const anchor = (await loadCardFaceRig({ dir: testRigDir() })).rigTrustAnchor;
    assert.deepEqual(body.subarray(0, 16), anchor.keyId, 'issuer key id names the rig anchor');
    assert.equal(verify('sha256', body, { key: anchor.publicKey, padding: constants.RSA_PKCS1_PADDING }, t.members[1]?.value ?? Buffer.alloc(0)), true);
  });

  it('EF 0001 is FF10 { DF11 birth, DF12 key, DF13 signature } and EF 0005 is FF40 { DF41 PNG, DF42 key, DF43 signature } (jsapdu)', () => {
    const age = template(files.ef0001);
    assert.equal(age.tag, 'FF10');
    assert.deepEqual(age.members.map((m) => m.tag), ['DF11', 'DF12', 'DF13']);
    assert.equal(age.members[0]?.value.toString('latin1'), '19580401');
    assertRsaKey(age.members[1]?.value ?? Buffer.alloc(0), 'DF12');
    const image = template(files.ef0005);
    assert.equal(image.tag, 'FF40');
    assert.deepEqual(image.members.map((m) => m.tag), ['DF41', 'DF42', 'DF43']);
    assert.equal(image.members[0]?.value.subarray(0, 8).toString('hex'), PNG);
  });

  it('券面事項入力補助AP EF 0002 is FF20 { DF21 offsets, DF22 name, DF23 address, DF24 birth, DF25 sex } in UTF-8 (jsapdu schemaKenhojoBasicFour, jpki/myna text.rs)', () => {
    const text = buildCardTextFiles(valid);
    const t = template(text.ef0002);
    assert.equal(t.tag, 'FF20');
    assert.deepEqual(t.members.map((m) => m.tag), ['DF21', 'DF22', 'DF23', 'DF24', 'DF25']);
    const [table, ...rest] = t.members;
    assert.deepEqual(Array.from({ length: 4 }, (_, i) => table?.value.readUInt16BE(2 * i)), rest.map((m) => m.offset));
    assert.deepEqual(rest.map((m) => m.value.toString('utf8')), [valid.person.nameKanji, valid.person.address, '19580401', '1']);
    // 個人番号: one private-class object, tag number 16 (jpki/myna Go `private,tag:16`), whose value
    // is the 12 digits (jpki/myna Rust and jsapdu decode the value itself as text); the
    // constructed bit is not looked at by either, so either identifier byte is accepted.
    const number = objectAt(text.ef0001, 0);
    assert.ok(['DF10', 'FF10'].includes(number.tag), number.tag);
    assert.match(number.value.toString('latin1'), /^\d{12}$/);
    assert.equal(number.raw.length, text.ef0001.length);
  });
});
