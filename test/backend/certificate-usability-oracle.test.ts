/**
 * SPEC §4's certificate dates, judged twice by code that shares nothing: the device's
 * `statusForExpiry` (fixed JST offset, instants) and the backend simulator's
 * `judgeCertificateDates` (ICU `Asia/Tokyo`, ISO date strings). First both against dates worked
 * out by hand from the seed's wording, then against each other over random dates near every
 * boundary. A slip in either (a grace end one month off, a notice day not clamped, a UTC date
 * instead of Japan's) turns this red.
 */
import assert from 'node:assert/strict';
import { statusForExpiry } from '../../src/card/certificate-status';
import { judgeCertificateDates, type DateUsability } from '../../rig/backend-simulator/certificate-usability';

const deviceToBackend = { valid: 'usable', 'expiring-soon': 'expiring-soon', grace: 'grace-qualification-only', expired: 'past-grace' } as const;

/** An instant at Japan wall-clock time `YYYY-MM-DDTHH:MM` (+09:00, written out, not computed). */
const jst = (wall: string) => new Date(`${wall}:00+09:00`);

describe('certificate dates (SPEC §4): device rule and simulator rule against hand-worked dates', () => {
  // notAfter at 23:59:59 JST on E, as J-LIS certificates end a day.
  const cases: { e: string; noticeFrom: string; graceEndsOn: string; at: [string, DateUsability][] }[] = [
    {
      // The seed's own example: E = 2025-03-15 → grace ends 2025-06-30.
      e: '2025-03-15',
      noticeFrom: '2024-12-15',
      graceEndsOn: '2025-06-30',
      at: [
        ['2024-12-14T23:59', 'usable'],
        ['2024-12-15T00:00', 'expiring-soon'],
        ['2025-03-15T23:59', 'expiring-soon'],
        ['2025-03-16T00:00', 'grace-qualification-only'],
        ['2025-06-30T23:59', 'grace-qualification-only'],
        ['2025-07-01T00:00', 'past-grace'],
      ],
    },
    // E − 3 months onto a shorter month: the day is clamped (leap year, then common year).
    { e: '2024-05-31', noticeFrom: '2024-02-29', graceEndsOn: '2024-08-31', at: [['2024-02-28T12:00', 'usable'], ['2024-02-29T00:00', 'expiring-soon']] },
    { e: '2023-05-31', noticeFrom: '2023-02-28', graceEndsOn: '2023-08-31', at: [['2023-02-27T23:59', 'usable'], ['2023-02-28T00:00', 'expiring-soon']] },
    // Grace across a year end into February.
    { e: '2025-11-30', noticeFrom: '2025-08-30', graceEndsOn: '2026-02-28', at: [['2026-02-28T23:59', 'grace-qualification-only'], ['2026-03-01T00:00', 'past-grace']] },
  ];
  for (const c of cases) {
    it(`E = ${c.e}: notice from ${c.noticeFrom}, grace to ${c.graceEndsOn}`, () => {
      const notAfter = jst(`${c.e}T23:59`);
      for (const [wall, expected] of c.at) {
        const now = jst(wall);
        const sim = judgeCertificateDates(notAfter, now);
        const dev = statusForExpiry(notAfter, now);
        assert.equal(sim.usability, expected, `simulator at ${wall}`);
        assert.equal(deviceToBackend[dev.status as keyof typeof deviceToBackend], expected, `device at ${wall}`);
        assert.deepEqual([sim.expiresOn, sim.noticeFrom, sim.graceEndsOn], [c.e, c.noticeFrom, c.graceEndsOn]);
        assert.deepEqual([dev.expiresOn, dev.noticeFrom, dev.graceEndsOn], [c.e, c.noticeFrom, c.graceEndsOn]);
      }
    });
  }

  it('the two rules agree on 5,000 random (notAfter, now) pairs clustered at the boundaries', () => {
    // A deterministic generator: the same pairs on every run.
    let seed = 0x5eed;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const day = 86_400_000;
    for (let i = 0; i < 5000; i++) {
      const notAfter = new Date(Date.UTC(2020, 0, 1) + Math.floor(rand() * 3650) * day + Math.floor(rand() * day));
      const anchor = [notAfter.getTime() - 92 * day, notAfter.getTime(), notAfter.getTime() + 122 * day][i % 3]!;
      const now = new Date(anchor + Math.floor((rand() - 0.5) * 4 * day));
      const dev = deviceToBackend[statusForExpiry(notAfter, now).status as keyof typeof deviceToBackend];
      const sim = judgeCertificateDates(notAfter, now).usability;
      assert.equal(sim, dev, `notAfter ${notAfter.toISOString()} now ${now.toISOString()}`);
    }
  });
});
