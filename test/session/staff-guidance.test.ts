/**
 * Issue 16 item 6: every cause that stops a session on the device or sends the patient to the
 * counter records what staff are told, from one module, in the seeds' order. The oracle is the
 * seed text itself — verbatim excerpts of seeds 001 and 002 committed under test/fixtures/
 * seed-excerpts (copied verbatim from ../shared/seeds, which lives beside the repository and not in
 * it; checked line by line against the seeds when committed): the order of the ways (Mynaportal or
 * 資格情報のお知らせ with the card → past visit records / 被保険者資格申立書) and the claim routes
 * A → B → C must be the order in which the seeds write them, and every line marked as seed wording
 * must occur in the seed — not in the backend simulator, which no longer sends any guidance.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Driver, qualified } from './harness';
import type { SessionOutcome } from '../../src/session/effects';
import { renderStaffGuidance } from '../../src/ui/text/staff-guidance';

const excerptDir = join(__dirname, '..', 'fixtures', 'seed-excerpts');
/** An excerpt's seed lines (its first line says where they come from). */
function excerpt(name: string): string[] {
  return readFileSync(join(excerptDir, name), 'utf8').split('\n').slice(1);
}
/** Text without line breaks or spaces (the PDF text breaks lines mid-sentence). */
const flat = (s: string) => s.replace(/\s+/g, '');
const seed001 = flat(excerpt('001-counter-and-claims.txt').join('\n'));
const seed002 = flat(excerpt('002-counter-order.txt').join('\n'));

function lastOutcome(d: Driver): SessionOutcome {
  const records = d.of('record-result', d.all);
  assert.equal(records.length, 1, 'exactly one record');
  return records[0]!.outcome;
}

function pinToQuery(d: Driver, card = {}): void {
  d.placeCard(card);
  d.tap('method.pin');
  d.digits('1234');
  d.send({ type: 'pin-verified' });
}

/** Each cause, driven through the engine to where it stops. */
const causes: [string, (d: Driver) => void, string][] = [
  ['backend down', (d) => (pinToQuery(d), d.send({ type: 'backend-failed', kind: 'unavailable' })), 'backend'],
  ['backend timeout', (d) => (pinToQuery(d), d.timeout()), 'backend'],
  ['PIN locked', (d) => (d.placeCard({ pinTriesLeft: 1 }), d.tap('method.pin'), d.digits('1111'), d.send({ type: 'pin-locked' })), 'pin-locked'],
  ['revoked', (d) => d.placeCard({ revoked: true }), 'certificate-revoked'],
  ['past grace', (d) => d.placeCard({ certificateStatus: 'expired' }), 'certificate-expired'],
  ['registration declined', (d) => (d.placeCard({ registeredForInsurance: false }), d.tap('registration.decline')), 'registration-declined'],
  ['forged card data', (d) => (d.placeCard(), d.tap('method.face'), d.send({ type: 'face-result', outcome: 'card-data-forged' })), 'card-data-refused'],
  ['cloned card data', (d) => (d.placeCard(), d.tap('method.face'), d.send({ type: 'face-result', outcome: 'card-data-cloned' })), 'card-data-refused'],
  ['face impossible (no PIN, 終了する)', (d) => (d.placeCard({ pinSet: false, pinTriesLeft: 0 }), d.tap('method.face'), d.send({ type: 'camera-failed' }), d.tap('method.quit')), 'face-impossible'],
  ['broken chip', (d) => (d.send({ type: 'card-inserted', slot: 'card' }), d.send({ type: 'card-read-failed', slot: 'card', reason: 'broken-chip' })), 'card-read'],
  ['資格無効', (d) => (pinToQuery(d), d.send({ type: 'backend-result', result: { ...qualified, status: 'invalid' } })), 'qualification'],
  ['資格情報なし', (d) => (pinToQuery(d), d.send({ type: 'backend-result', result: { ...qualified, status: 'no-record' } })), 'qualification'],
];

describe('staff guidance for every cause (SPEC §8, seeds 001 and 002; issue 16 item 6)', () => {
  const counterOrder = ['mynaportal-or-notice-sheet-with-card', 'past-visit-records', 'self-declaration-form'];

  for (const [name, drive, kind] of causes) {
    it(`${name}: one record with the cause, the seed 002 order last and the claim routes A → B → C`, () => {
      const d = new Driver();
      drive(d);
      const outcome = lastOutcome(d);
      assert.equal(outcome.error?.kind, kind);
      const g = outcome.guidance;
      assert.ok(g, 'guidance recorded');
      assert.deepEqual(g.cause, outcome.error);
      assert.deepEqual(g.steps.slice(-3), counterOrder, 'ends with the seed 002 order');
      assert.deepEqual(g.claimRoutes.map((r) => r.route), ['A', 'B', 'C']);
      const c = g.claimRoutes[2]!;
      assert.ok(c.route === 'C' && c.insuredNumber === 'unknown-sevens' && c.unknownReceipt, 'C: 7s, 不詳レセプト');
    });
  }

  it('what comes before the counter steps follows the cause (seed 001 目視確認モード, 資格確認書)', () => {
    const first = (drive: (d: Driver) => void) => {
      const d = new Driver();
      drive(d);
      return lastOutcome(d).guidance!.steps.slice(0, -3);
    };
    const byName = new Map(causes.map(([name, drive]) => [name, first(drive)]));
    assert.deepEqual(byName.get('PIN locked'), ['visual-check-on-reader'], '暗証番号入力不可 → 目視確認');
    assert.deepEqual(byName.get('face impossible (no PIN, 終了する)'), ['visual-check-on-reader'], '顔認証失敗 → 目視確認');
    assert.deepEqual(byName.get('past grace'), ['qualification-certificate'], 'seed 002 p.7: the 資格確認書 after 3 months');
    assert.deepEqual(byName.get('registration declined'), ['qualification-certificate'], 'seed 001: 利用登録を行っていない方 get a 資格確認書');
    for (const name of ['backend down', 'revoked', '資格無効', '資格情報なし', 'forged card data', 'broken chip']) assert.deepEqual(byName.get(name), [], name);
  });

  it('only 資格無効 claims route B with the lost qualification', () => {
    for (const [name, drive] of causes) {
      const d = new Driver();
      drive(d);
      const b = lastOutcome(d).guidance!.claimRoutes[1]!;
      assert.ok(b.route === 'B');
      assert.equal(b.lostQualification, name === '資格無効', name);
      assert.equal(b.from.includes('invalid-result-screen'), name === '資格無効', name);
    }
  });

  it('a smartphone PIN lock: the card instead, and no municipal office (item 8)', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    d.tap('phone.start');
    d.tap('phone.android');
    d.digits('1111');
    d.send({ type: 'card-inserted', slot: 'smartphone' });
    d.send({ type: 'card-read', slot: 'smartphone', card: { ...qualifiedCard() } });
    d.send({ type: 'pin-locked' });
    const g = lastOutcome(d).guidance!;
    assert.deepEqual(g.cause, { kind: 'pin-locked', slot: 'smartphone' });
    assert.deepEqual(g.steps[0], 'card-on-reader');
    assert.equal(g.followUp, 'reapply-phone-certificate');
    const lines = renderStaffGuidance(g).join('\n');
    assert.ok(!lines.includes('市区町村'), 'a phone PIN is not reset at the municipal office');
    // The panel says the same (bug: the card's lock text sent phone users to the municipal office).
    assert.deepEqual(d.shown, { kind: 'pin-locked', slot: 'smartphone', buttons: ['staff.call'] });
    // Issue 16 bug: removing the phone ends the lock screen at once, not after the counter time.
    d.send({ type: 'card-removed', slot: 'smartphone' });
    assert.equal(d.phase, 'idle');
  });

  it('the consents failing after a recorded qualification owe nothing at the counter', () => {
    const d = new Driver();
    pinToQuery(d);
    d.send({ type: 'backend-result', result: qualified });
    d.tap('consent.all');
    d.send({ type: 'backend-failed', kind: 'unavailable' });
    const outcome = lastOutcome(d);
    assert.equal(outcome.error?.kind, 'consent-registration');
    assert.equal(outcome.guidance, undefined);
  });

  describe('the wording staff read, against the seed text', () => {
    function rendered(drive: (d: Driver) => void): string[] {
      const d = new Driver();
      drive(d);
      return renderStaffGuidance(lastOutcome(d).guidance!);
    }
    const invalid = rendered(causes.find(([n]) => n === '資格無効')![1]);
    const noRecord = rendered(causes.find(([n]) => n === '資格情報なし')![1]);

    it('the ways in the seed 002 order: Mynaportal + card, お知らせ + card, then 再診 past records, 初診 申立書', () => {
      const mynaportal = invalid.findIndex((l) => l.includes('マイナポータル画面'));
      const notice = invalid.findIndex((l) => l.includes('資格情報のお知らせ'));
      const past = invalid.findIndex((l) => l.includes('過去の受診情報'));
      const form = invalid.findIndex((l) => l.includes('申立書'));
      assert.ok(mynaportal >= 0 && mynaportal < notice && notice < past && past < form, invalid.join('\n'));
      // The same order in seed 002's own text.
      const s = seed002;
      assert.ok(s.indexOf(flat('マイナポータル画面（PDF含む） +マイナンバーカード')) < s.indexOf(flat('資格情報のお知らせ +マイナンバーカード')));
      assert.ok(s.indexOf('再診の場合は過去の受診情報で') < s.indexOf('初診の場合は患者に申立書を記載'));
    });

    it('the claim routes in the seed 001 order, each sentence as seed 001 writes it', () => {
      const claim = (r: string) => invalid.findIndex((l) => l.startsWith(`${r})`));
      assert.ok(claim('A') > 0 && claim('A') < claim('B') && claim('B') < claim('C'));
      for (const r of ['A', 'B', 'C']) {
        const line = flat(invalid[claim(r)]!);
        assert.ok(seed001.includes(line), `route ${r} as in seed 001: ${line}`);
      }
      assert.ok(seed001.indexOf('A)患者からの聞き取り') < seed001.indexOf('B)オンライン資格確認') && seed001.indexOf('B)オンライン資格確認') < seed001.indexOf('C)被保険者資格申立書'));
      assert.ok(invalid.some((l) => l.includes('喪失した「旧資格情報」で請求')), '資格無効: the lost qualification');
      assert.ok(!noRecord.some((l) => l.includes('旧資格情報')), '資格情報なし: no lost qualification');
      assert.ok(noRecord.some((l) => l.includes('「不詳レセプト」として請求')), '資格情報なし: 不詳レセプト');
      assert.ok(noRecord.some((l) => l.includes('「７」を必要な桁数分入力')), 'C: the 7s');
    });

    it('every line the catalogue marks as seed wording occurs in seed 001 or 002', () => {
      for (const line of [...invalid, ...noRecord]) {
        // ①–④ and ・ are our numbering; the rest is the seeds' sentence.
        const text = flat(line.replace(/^[①②③④・]\s*/, '').replace(/（被保険者資格申立書）$/, ''));
        assert.ok(seed001.includes(text) || seed002.includes(text), `not in the seeds: ${line}`);
      }
    });
  });
});

function qualifiedCard() {
  return { certificateStatus: 'valid' as const, revoked: false, pinSet: true, pinTriesLeft: 3, registeredForInsurance: true, cardFaceAvailable: false };
}
