import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkStaffPasscode,
  ConfigError,
  hashStaffPasscode,
  loadConfig,
  parseConfig,
  PasscodeFormatError,
} from '../../src/config';
import { defaultRigConfig, RIG_STAFF_PASSCODE } from '../../rig/rig-config';

const minimal = () => ({
  facility: { name: '△△クリニック', code: '1312345678' },
  staff: { passcode: defaultRigConfig().staff.passcode },
  backend: { url: 'https://oqs.example.jp/' },
  readers: { card: 'SONY FeliCa Port/PaSoRi 4.0', smartphone: 'SONY FeliCa Port/PaSoRi 4.0 01' },
});

describe('facility configuration', () => {
  it('fills every default from a minimal file', () => {
    const c = parseConfig(minimal());
    assert.equal(c.mode, 'standard');
    assert.deepEqual(c.consent.acquired, { surgery: true, clinical: true, medication: true, checkup: true });
    assert.equal(c.consent.legacyLimitScreen, false);
    assert.equal(c.consent.referralLetters, false);
    assert.equal(c.retries.face, 3);
    assert.equal(c.staff.maxFailures, 5);
    assert.equal(c.staff.language, 'ja');
    assert.equal(c.timeouts.screenMs, 60_000);
  });

  it('lists every invalid field at once, with its path', () => {
    const bad = {
      facility: { name: '', code: '12' },
      mode: 'kiosk',
      timeouts: { screenMs: 5 },
      staff: { passcode: { algorithm: 'scrypt', salt: 'zz', hash: 'abc', N: 1000, r: 8, p: 1 }, language: 'fr' },
      backend: { url: 'ftp://x' },
      touch: { calibration: { minX: 10, maxX: 5 } },
    };
    const err = (() => {
      try {
        parseConfig(bad, 'facility.json');
      } catch (e) {
        return e;
      }
      return null;
    })();
    assert.ok(err instanceof ConfigError);
    const paths = err.issues.map((i) => i.path).sort();
    for (const p of [
      'facility.name',
      'facility.code',
      'mode',
      'timeouts.screenMs',
      'staff.passcode.salt',
      'staff.passcode.hash',
      'staff.passcode.N',
      'staff.language',
      'backend.url',
      'touch.calibration',
    ]) {
      assert.ok(paths.includes(p), `missing ${p} in ${paths.join(', ')}`);
    }
    assert.match(err.message, /facility\.json/);
    assert.equal(err.source, 'facility.json');
  });

  it('reports a misspelt key at its full path instead of silently ignoring it', () => {
    assert.throws(
      () => parseConfig({ ...minimal(), timeout: { screenMs: 5000 }, consent: { legacyLimitScren: true } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.issues.some((i) => i.path === 'timeout' && /did you mean "timeouts"/.test(i.message)) &&
        e.issues.some((i) => i.path === 'consent.legacyLimitScren' && /did you mean "legacyLimitScreen"/.test(i.message)),
    );
  });

  it('every section is strict, the face section included (face.matchTreshold was accepted silently)', () => {
    const unknown = {
      ...minimal(),
      face: { matchTreshold: 0.5, camera: { fsp: 10 }, attempt: { maxFrame: 3 }, activeCheck: { yaw: 1 } },
      cardFace: { trayCamera: { dev: '/dev/video9' }, trustAnchors: [{ label: 'x', keyId: 'ab', publicKeyFile: 'k.pem', extra: 1 }] },
      backend: { ...minimal().backend, tls: { caFle: 'ca.pem' } },
      touch: { calibration: { minx: 0 } },
      staff: { ...minimal().staff, passcode: { ...minimal().staff.passcode, cost: 1 } },
      readers: { ...minimal().readers, phone: 'x' },
    };
    assert.throws(
      () => parseConfig(unknown),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        const byPath = new Map(e.issues.map((i) => [i.path, i.message]));
        for (const p of [
          'face.matchTreshold',
          'face.camera.fsp',
          'face.attempt.maxFrame',
          'face.activeCheck.yaw',
          'cardFace.trayCamera.dev',
          'cardFace.trustAnchors.0.extra',
          'backend.tls.caFle',
          'touch.calibration.minx',
          'staff.passcode.cost',
          'readers.phone',
        ]) assert.ok(byPath.has(p), `missing ${p} in ${[...byPath.keys()].join(', ')}`);
        assert.match(byPath.get('face.matchTreshold') ?? '', /did you mean "matchThreshold"/);
        assert.equal(byPath.get('readers.phone'), 'unknown key', 'no far-fetched suggestion');
        return true;
      },
    );
  });

  it('the backend must be https: plain http is refused with a reason', () => {
    for (const url of ['http://oqs.example.jp/', 'ftp://oqs.example.jp/', 'not a url']) {
      assert.throws(
        () => parseConfig({ ...minimal(), backend: { url } }),
        (e: unknown) => e instanceof ConfigError && e.issues.length === 1 && e.issues[0]!.path === 'backend.url',
        url,
      );
    }
    assert.throws(() => parseConfig({ ...minimal(), backend: { url: 'http://oqs.example.jp/' } }), /backend\.url: must be https: \(the backend is reached over mutual TLS only\), got http:/);
    assert.equal(parseConfig({ ...minimal(), backend: { url: 'https://10.0.0.5:8443' } }).backend.url, 'https://10.0.0.5:8443');
  });

  it('rejects a missing passcode hash and backend rather than inventing them', () => {
    assert.throws(
      () => parseConfig({ facility: { name: 'x', code: '1234567890' } }),
      (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.path === 'staff') && e.issues.some((i) => i.path === 'backend'),
    );
  });

  it('loads a file, and reports unreadable or non-JSON files as ConfigError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fcr-config-'));
    try {
      const good = join(dir, 'good.json');
      writeFileSync(good, JSON.stringify({ ...minimal(), mode: 'qualification-only' }));
      assert.equal(loadConfig(good).mode, 'qualification-only');
      const broken = join(dir, 'broken.json');
      writeFileSync(broken, '{ "facility": ');
      assert.throws(() => loadConfig(broken), (e: unknown) => e instanceof ConfigError && /not JSON/.test(e.issues[0]?.message ?? ''));
      assert.throws(() => loadConfig(join(dir, 'missing.json')), (e: unknown) => e instanceof ConfigError && /ENOENT/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the rig config is valid, acquires every category, and its passcode checks', async () => {
    const c = defaultRigConfig();
    assert.equal(c.facility.name, '○○○○病院');
    assert.equal(await checkStaffPasscode(RIG_STAFF_PASSCODE, c.staff.passcode), true);
    assert.equal(await checkStaffPasscode('4321', c.staff.passcode), false);
    assert.equal(defaultRigConfig({ mode: 'qualification-only' }).mode, 'qualification-only');
    // overrides merge into nested sections instead of replacing them
    const legacy = defaultRigConfig({ consent: { legacyLimitScreen: true }, staff: { language: 'en' } });
    assert.equal(legacy.consent.legacyLimitScreen, true);
    assert.equal(legacy.consent.referralLetters, true);
    assert.equal(legacy.staff.passcode.hash, c.staff.passcode.hash);
    // the rig's placeholder backend passes the device's https rule (the runner points at the simulator)
    assert.equal(new URL(c.backend.url).protocol, 'https:');
  });
});

describe('staff passcode hash', () => {
  it('hashes with a fresh salt and checks in constant time', async () => {
    const a = await hashStaffPasscode('2468', { N: 16384, r: 8, p: 1 });
    const b = await hashStaffPasscode('2468', { N: 16384, r: 8, p: 1 });
    assert.notEqual(a.salt, b.salt);
    assert.notEqual(a.hash, b.hash);
    assert.ok(!JSON.stringify(a).includes('2468'));
    assert.equal(await checkStaffPasscode('2468', a), true);
    assert.equal(await checkStaffPasscode('2469', a), false);
    assert.equal(await checkStaffPasscode('24680', a), false);
    // the stored form passes the schema
    assert.doesNotThrow(() => parseConfig({ ...minimal(), staff: { passcode: a } }));
  });

  it('refuses a hash cheaper than the device minimum (N=16384), as the old rig hash was', async () => {
    const cheap = await hashStaffPasscode('2468', { N: 1024, r: 8, p: 1 });
    assert.throws(() => parseConfig({ ...minimal(), staff: { passcode: cheap } }), (e: ConfigError) => e.issues.some((i) => i.path === 'staff.passcode.N'));
  });

  it('has no default reader names: a device file must name its readers', () => {
    const { readers: _readers, ...noReaders } = minimal();
    assert.throws(() => parseConfig(noReaders), (e: ConfigError) => e.issues.some((i) => i.path === 'readers'));
  });

  it('refuses to hash anything but 4 digits', async () => {
    await assert.rejects(hashStaffPasscode('12a4'), PasscodeFormatError);
    await assert.rejects(hashStaffPasscode('123'), PasscodeFormatError);
  });
});
