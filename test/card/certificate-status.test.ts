import assert from 'node:assert/strict';
import { X509Certificate, webcrypto } from 'node:crypto';
import {
  addMonths,
  certificateStatus,
  graceEnd,
  japanDate,
  statusForExpiry,
  usableForConsent,
  usableForQualification,
  withRevocation,
} from '../../src/card/certificate-status';

/** An instant given as Japan local time. */
const jst = (iso: string): Date => new Date(`${iso}+09:00`);

describe('certificate status (SPEC §4, Japan time)', () => {
  it('SPEC example: E = 2025-03-15 → grace ends 2025-06-30, notice from 2024-12-15', () => {
    const s = statusForExpiry(jst('2025-03-15T23:59:59'), jst('2025-01-01T00:00:00'));
    assert.equal(s.expiresOn, '2025-03-15');
    assert.equal(s.graceEndsOn, '2025-06-30');
    assert.equal(s.noticeFrom, '2024-12-15');
  });

  it('walks valid → expiring-soon → grace → expired across the boundaries', () => {
    const e = jst('2025-03-15T23:59:59');
    assert.equal(statusForExpiry(e, jst('2024-12-14T23:59:59')).status, 'valid');
    assert.equal(statusForExpiry(e, jst('2024-12-15T00:00:00')).status, 'expiring-soon');
    assert.equal(statusForExpiry(e, jst('2025-03-15T23:59:59')).status, 'expiring-soon');
    assert.equal(statusForExpiry(e, jst('2025-03-16T00:00:00')).status, 'grace');
    assert.equal(statusForExpiry(e, jst('2025-06-30T23:59:59')).status, 'grace');
    assert.equal(statusForExpiry(e, jst('2025-07-01T00:00:00')).status, 'expired');
  });

  it('uses the Japan date, not UTC: 2025-03-31T15:30Z is April 1st in Japan', () => {
    const notAfter = new Date('2025-03-31T15:30:00Z');
    const s = statusForExpiry(notAfter, new Date('2025-01-01T00:00:00Z'));
    assert.equal(s.expiresOn, '2025-04-01');
    assert.equal(s.graceEndsOn, '2025-07-31');
    // One second before midnight UTC+9 on 2025-07-31 is still grace; Aug 1 JST is expired, though UTC is still Jul 31.
    assert.equal(statusForExpiry(notAfter, jst('2025-07-31T23:59:59')).status, 'grace');
    assert.equal(statusForExpiry(notAfter, new Date('2025-07-31T15:00:00Z')).status, 'expired');
  });

  it('month ends: Nov 30 → Feb 28 (common year) and Feb 29 (leap year)', () => {
    assert.deepEqual(graceEnd({ year: 2025, month: 11, day: 30 }), { year: 2026, month: 2, day: 28 });
    assert.deepEqual(graceEnd({ year: 2027, month: 11, day: 30 }), { year: 2028, month: 2, day: 29 });
    assert.deepEqual(graceEnd({ year: 2099, month: 11, day: 1 }), { year: 2100, month: 2, day: 28 }); // 2100 is not leap
    assert.deepEqual(graceEnd({ year: 1999, month: 11, day: 1 }), { year: 2000, month: 2, day: 29 }); // 2000 is
    assert.deepEqual(graceEnd({ year: 2025, month: 10, day: 31 }), { year: 2026, month: 1, day: 31 });
    assert.deepEqual(graceEnd({ year: 2025, month: 12, day: 31 }), { year: 2026, month: 3, day: 31 });
    assert.deepEqual(graceEnd({ year: 2026, month: 1, day: 31 }), { year: 2026, month: 4, day: 30 });
  });

  it('notice start clamps the day: May 31 − 3 months = Feb 28 / Feb 29', () => {
    assert.deepEqual(addMonths({ year: 2025, month: 5, day: 31 }, -3), { year: 2025, month: 2, day: 28 });
    assert.deepEqual(addMonths({ year: 2028, month: 5, day: 31 }, -3), { year: 2028, month: 2, day: 29 });
    assert.deepEqual(addMonths({ year: 2026, month: 2, day: 15 }, -3), { year: 2025, month: 11, day: 15 });
    const s = statusForExpiry(jst('2028-05-31T23:59:59'), jst('2028-02-28T23:59:59'));
    assert.equal(s.noticeFrom, '2028-02-29');
    assert.equal(s.status, 'valid');
    assert.equal(statusForExpiry(jst('2028-05-31T23:59:59'), jst('2028-02-29T00:00:00')).status, 'expiring-soon');
  });

  it('does not depend on the machine time zone', () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = 'America/Los_Angeles';
      const a = statusForExpiry(jst('2025-03-15T23:59:59'), jst('2025-06-30T23:00:00'));
      process.env.TZ = 'Asia/Tokyo';
      const b = statusForExpiry(jst('2025-03-15T23:59:59'), jst('2025-06-30T23:00:00'));
      assert.deepEqual(a, b);
      assert.equal(a.status, 'grace');
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
    assert.deepEqual(japanDate(new Date('2024-12-31T15:00:00Z')), { year: 2025, month: 1, day: 1 });
  });

  it('revocation overrides any date; grace allows qualification but not consent', () => {
    const s = statusForExpiry(jst('2030-01-01T00:00:00'), jst('2025-01-01T00:00:00'));
    assert.equal(s.status, 'valid');
    const r = withRevocation(s, true);
    assert.equal(r.status, 'revoked');
    assert.equal(usableForQualification(r), false);
    assert.equal(withRevocation(s, false), s);
    const g = statusForExpiry(jst('2025-03-15T23:59:59'), jst('2025-04-01T00:00:00'));
    assert.equal(usableForQualification(g), true);
    assert.equal(usableForConsent(g), false);
    assert.equal(usableForConsent(statusForExpiry(jst('2025-03-15T23:59:59'), jst('2025-03-01T00:00:00'))), true);
  });

  it('reads notAfter from a real X509Certificate', async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto);
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 1024 };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'CN=status test',
      notBefore: new Date('2020-03-15T00:00:00Z'),
      notAfter: new Date('2025-03-15T14:59:59Z'),
      keys,
      signingAlgorithm: alg,
    });
    const c = new X509Certificate(Buffer.from(cert.rawData));
    const s = certificateStatus(c, jst('2025-06-30T12:00:00'));
    assert.equal(s.expiresOn, '2025-03-15');
    assert.equal(s.notAfter.toISOString(), '2025-03-15T14:59:59.000Z');
    assert.equal(s.status, 'grace');
  });
});
