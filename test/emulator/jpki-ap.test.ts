import assert from 'node:assert/strict';
import { X509Certificate, createHash, createVerify, constants, publicDecrypt, verify } from 'node:crypto';
import type { RigCredentials } from '../../rig/personas/credentials';
import { testRigCredentials } from './rig-fixture';
import { personas } from '../../rig/personas/catalogue';
import { createPersonaCard, EmulatedCard, JPKI_AID, DEFAULT_SIGNATURE_PASSWORD, InvalidPinFormatError } from '../../rig/emulator';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const SHA256_DI = hex('3031300d060960864801650304020105000420');

function tx(card: EmulatedCard, apdu: Buffer | string): { data: Buffer; sw: number } {
  const r = card.transmit(typeof apdu === 'string' ? hex(apdu) : apdu);
  return { data: r.subarray(0, r.length - 2), sw: r.readUInt16BE(r.length - 2) };
}
const swOf = (card: EmulatedCard, apdu: Buffer | string): string => tx(card, apdu).sw.toString(16).toUpperCase();
const selectJpki = (card: EmulatedCard): string => swOf(card, Buffer.concat([hex('00A4040C0A'), JPKI_AID]));
const selectEf = (card: EmulatedCard, fid: string): string => swOf(card, `00A4020C02${fid}`);
const verifyApdu = (pin: string): Buffer => Buffer.concat([hex('00200080'), Buffer.from([pin.length]), Buffer.from(pin, 'ascii')]);
const signApdu = (data: Buffer, p1 = '00', p2 = '80'): Buffer => Buffer.concat([hex(`802A${p1}${p2}`), Buffer.from([data.length]), data, hex('00')]);

describe('emulated card: JPKI application', function () {
  this.timeout(120_000);
  let creds: RigCredentials;
  before(async () => {
    creds = await testRigCredentials();
  });

  const card = (persona: (typeof personas)[number]['name'] = 'valid', pin?: string): EmulatedCard => {
    const c = createPersonaCard({ persona, credentials: creds, ...(pin ? { pin } : {}) });
    c.powerOn();
    return c;
  };

  it('answers SELECT of the JPKI AID on every persona card, and 6A82 for an unknown AID', () => {
    for (const p of personas) {
      const c = card(p.name);
      assert.equal(swOf(c, '00A4040C07A0000003080000'), '6A82', p.name);
      assert.equal(selectJpki(c), '9000', p.name);
    }
  });

  it('uses the My Number card ATR OpenSC matches, and a contactless ATR for phones', () => {
    assert.equal(card('valid').atr.toString('hex'), '3be000ff8131fe4514');
    const phone = card('android').atr;
    assert.equal(phone[0], 0x3b);
    assert.equal(phone[1], 0x88);
    let x = 0;
    for (const b of phone.subarray(1)) x ^= b;
    assert.equal(x, 0, 'TCK makes the XOR of T0..TCK zero');
  });

  it('reads the user-auth certificate with offsets, short and extended Le, and stops at the end', () => {
    const c = card();
    const der = creds.persona('valid').userAuthCertificate;
    assert.ok(der.length > 256);
    assert.equal(selectJpki(c), '9000');
    assert.equal(selectEf(c, '000A'), '9000');
    // OpenSC reads 4 bytes to learn the size from the DER header.
    const head = tx(c, '00B0000004');
    assert.equal(head.sw, 0x9000);
    assert.equal(((head.data[2] ?? 0) << 8 | (head.data[3] ?? 0)) + 4, der.length);
    // Short chunks with offsets in P1-P2.
    const parts: Buffer[] = [];
    for (let off = 0; off < der.length; off += 256) {
      const r = tx(c, Buffer.from([0x00, 0xb0, off >> 8, off & 0xff, 0x00]));
      assert.equal(r.sw, 0x9000);
      parts.push(r.data);
    }
    assert.deepEqual(Buffer.concat(parts), der);
    // One extended READ BINARY returns the whole file.
    const whole = tx(c, '00B00000000000');
    assert.equal(whole.sw, 0x9000);
    assert.deepEqual(whole.data, der);
    // At the end of the file: 6B00. Le past the end: the bytes that are there.
    const end = Buffer.from([0x00, 0xb0, der.length >> 8, der.length & 0xff, 0x10]);
    assert.equal(swOf(c, end), '6B00');
    const last = tx(c, Buffer.from([0x00, 0xb0, (der.length - 3) >> 8, (der.length - 3) & 0xff, 0x10]));
    assert.deepEqual(last.data, der.subarray(der.length - 3));
    // Short EF identifier read of the CA certificate (P1 = 80 | 0B).
    const ca = tx(c, '00B08B0000');
    assert.equal(ca.sw, 0x9000);
    assert.deepEqual(ca.data, creds.jpkiUserAuthCaCertificate.subarray(0, 256));
    assert.ok(new X509Certificate(creds.jpkiUserAuthCaCertificate).subject.includes('TEST'));
  });

  it('keeps the signature certificate behind the signature password; token info names the carrier', () => {
    const c = card();
    selectJpki(c);
    assert.equal(selectEf(c, '0001'), '9000');
    assert.equal(swOf(c, '00B0000004'), '6982');
    assert.equal(selectEf(c, '001B'), '9000');
    assert.equal(swOf(c, '00200080'), '63C5');
    assert.equal(swOf(c, verifyApdu(DEFAULT_SIGNATURE_PASSWORD)), '9000');
    selectEf(c, '0001');
    assert.deepEqual(tx(c, '00B00000000000').data, creds.persona('valid').signatureCertificate);
    selectEf(c, '0006');
    const token = tx(c, '00B0000000').data;
    assert.equal(token.length, 160);
    assert.equal(token.subarray(0, 32).toString('ascii').trimEnd(), 'JPKIAPICCTOKEN2');
    const ios = card('iphone');
    selectJpki(ios);
    selectEf(ios, '0006');
    assert.equal(tx(ios, '00B0000020').data.toString('ascii').trimEnd(), 'JPKIAPIOSTOKEN');
    selectEf(c, '0008');
    assert.deepEqual(tx(c, '00B0000000').data, hex('8F8F00'));
    // The iPhone profile's last-command indicator; a plastic card refuses it.
    assert.equal(swOf(ios, '80FC0000'), '9000');
    assert.equal(swOf(c, '80FC0000'), '6700');
  });

  it('counts the PIN down to lock: 63C2, 63C1, 63C0, then 6984 even for the right PIN', () => {
    const c = card();
    selectJpki(c);
    assert.equal(selectEf(c, '0018'), '9000');
    assert.equal(swOf(c, '00200080'), '63C3', 'query spends no try');
    assert.equal(swOf(c, verifyApdu('0000')), '63C2');
    assert.equal(swOf(c, '00200080'), '63C2');
    assert.equal(swOf(c, verifyApdu('1111')), '63C1');
    assert.equal(swOf(c, verifyApdu('2222')), '63C0');
    assert.equal(swOf(c, '00200080'), '63C0');
    assert.equal(swOf(c, verifyApdu('1234')), '6984');
    // Blocked survives a power cycle (non-volatile counter).
    c.powerOff();
    c.powerOn();
    selectJpki(c);
    selectEf(c, '0018');
    assert.equal(swOf(c, '00200080'), '63C0');
  });

  it('a right PIN restores the counter; the pin-one-try and pin-locked personas start where they say', () => {
    const c = card();
    selectJpki(c);
    selectEf(c, '0018');
    assert.equal(swOf(c, verifyApdu('9999')), '63C2');
    assert.equal(swOf(c, verifyApdu('1234')), '9000');
    assert.equal(swOf(c, '00200080'), '63C3');
    const one = card('pin-one-try');
    selectJpki(one);
    selectEf(one, '0018');
    assert.equal(swOf(one, '00200080'), '63C1');
    const locked = card('pin-locked');
    selectJpki(locked);
    selectEf(locked, '0018');
    assert.equal(swOf(locked, '00200080'), '63C0');
    assert.equal(swOf(locked, verifyApdu('1234')), '6984');
  });

  it('a face-only card has no PIN: 6984 to the query and to any value, and never signs', () => {
    const c = card('face-only');
    selectJpki(c);
    selectEf(c, '0018');
    assert.equal(swOf(c, '00200080'), '6984');
    assert.equal(swOf(c, verifyApdu('1234')), '6984');
    selectEf(c, '0017');
    assert.equal(swOf(c, signApdu(Buffer.concat([SHA256_DI, Buffer.alloc(32)]))), '6982');
  });

  it('--pin sets the PIN; a PIN that is not 4 digits is refused', () => {
    const c = card('valid', '5678');
    selectJpki(c);
    selectEf(c, '0018');
    assert.equal(swOf(c, verifyApdu('1234')), '63C2');
    assert.equal(swOf(c, verifyApdu('5678')), '9000');
    assert.throws(() => createPersonaCard({ persona: 'valid', credentials: creds, pin: '12a4' }), InvalidPinFormatError);
  });

  it('signs a DigestInfo with the user-auth key only after VERIFY, and a reset drops the right', () => {
    const c = card();
    const cert = new X509Certificate(creds.persona('valid').userAuthCertificate);
    const digestInfo = Buffer.concat([SHA256_DI, createHash('sha256').update('challenge').digest()]);
    selectJpki(c);
    selectEf(c, '0017');
    assert.equal(swOf(c, signApdu(digestInfo)), '6982');
    selectEf(c, '0018');
    assert.equal(swOf(c, verifyApdu('1234')), '9000');
    selectEf(c, '0017');
    const sig = tx(c, signApdu(digestInfo));
    assert.equal(sig.sw, 0x9000);
    assert.equal(sig.data.length, 256);
    assert.ok(createVerify('sha256').update('challenge').verify(cert.publicKey, sig.data));
    // The key named by short EF identifier in P2 (80 | 17) with no SELECT.
    assert.equal(tx(c, signApdu(digestInfo, '00', '97')).sw, 0x9000);
    // P1 03: the card hashes and wraps the data itself.
    const s3 = tx(c, signApdu(Buffer.from('challenge'), '03', '97'));
    assert.ok(createVerify('sha256').update('challenge').verify(cert.publicKey, s3.data));
    // P1 02: a bare 32-byte hash, wrapped by the card.
    const s2 = tx(c, signApdu(createHash('sha256').update('challenge').digest(), '02', '97'));
    assert.deepEqual(publicDecrypt({ key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING }, s2.data), digestInfo);
    // P1 05: PSS.
    const s5 = tx(c, signApdu(Buffer.from('challenge'), '05', '97'));
    assert.ok(verify('sha256', Buffer.from('challenge'), { key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, s5.data));
    assert.equal(swOf(c, signApdu(Buffer.alloc(32), '04', '97')), '6A86');
    // The signature key needs the signature password, not the user-auth PIN.
    assert.equal(swOf(c, signApdu(digestInfo, '00', '9A')), '6982');
    // Reset: the verified state is gone.
    c.reset();
    selectJpki(c);
    assert.equal(swOf(c, signApdu(digestInfo, '00', '97')), '6982');
  });

  it('an iPhone token signs without a VERIFY from the reader (biometric on the phone), an Android one does not', () => {
    const digestInfo = Buffer.concat([SHA256_DI, createHash('sha256').update('nonce').digest()]);
    const ios = card('iphone');
    selectJpki(ios);
    const sig = tx(ios, signApdu(digestInfo, '00', '97'));
    assert.equal(sig.sw, 0x9000);
    assert.ok(createVerify('sha256').update('nonce').verify(new X509Certificate(creds.persona('iphone').userAuthCertificate).publicKey, sig.data));
    ios.reset();
    selectJpki(ios);
    assert.equal(swOf(ios, signApdu(digestInfo, '00', '97')), '9000', 'unlocked again at the next power-up');
    const android = card('android');
    selectJpki(android);
    assert.equal(swOf(android, signApdu(digestInfo, '00', '97')), '6982');
  });

  it('answers malformed and foreign commands with the ISO status words', () => {
    const c = card();
    assert.equal(swOf(c, '00B0000000'), '6986', 'no application selected');
    selectJpki(c);
    assert.equal(swOf(c, '00B0000000'), '6986', 'no current EF');
    assert.equal(selectEf(c, '2F00'), '6A82');
    assert.equal(swOf(c, '00CA000000'), '6D00');
    assert.equal(swOf(c, 'A0B0000000'), '6E00');
    assert.equal(swOf(c, '00B000'), '6700');
    assert.equal(swOf(c, '00A4020C030001'), '6700', 'Lc does not match the body');
    selectEf(c, '0017');
    assert.equal(swOf(c, '00B0000000'), '6981', 'a key is not readable');
    // A failed SELECT by AID keeps the JPKI application selected.
    assert.equal(swOf(c, '00A4040C03112233'), '6A82');
    assert.equal(selectEf(c, '000A'), '9000');
  });
});
