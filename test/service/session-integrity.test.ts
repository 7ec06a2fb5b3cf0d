/**
 * Issue 11 on the real stack: a private pcscd + vsmartcard-vpcd + the card emulator, the backend
 * simulator over mutual TLS, the product's reader service as the device wires it. Each test is
 * one reproduction of the issue; the verdict comes from the simulator's own reception record and
 * the panel's text, never from the product's view of what happened.
 */
import { BUTTON } from '../../src/session/screen';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log/logger';
import { findPersona } from '../../rig/personas/catalogue';
import { ja } from '../../src/ui/text/ja';
import { consentAll, ReceptionRig } from './reception-rig';
import { waitFor } from '../wait-for';

const nameOf = (persona: string): string => findPersona(persona as never)!.person.nameKanji;

describe('issue 11: session integrity on pcscd + vpcd + emulator + backend simulator', function () {
  this.timeout(120_000);
  let rig: ReceptionRig;
  const lines: string[] = [];
  const log = createLogger('t', { level: 'debug', sink: { write: (l) => lines.push(l) } });

  const logged = (pattern: RegExp): Promise<boolean> => waitFor(() => lines.some((l) => pattern.test(l)), { what: `the log line ${String(pattern)}`, timeoutMs: 15_000, intervalMs: 10 });

  /** Resolves once the simulator has taken the one-shot fault rule, i.e. the request arrived. */
  const faultTaken = (): Promise<boolean> =>
    waitFor(() => rig.sim.faults.state().rules.every((r) => r.left === 0), { what: 'the faulted request', timeoutMs: 10_000, intervalMs: 5 });

  /** The patient chooses iPhone on the panel and holds the phone to its reader. */
  async function holdIphone(): Promise<void> {
    rig.press(BUTTON.phoneStart);
    await rig.until(ja.buttonIphone);
    rig.press(BUTTON.phoneIphone);
    await rig.until(ja.phoneHoldIphone);
    await rig.insert('iphone', 'smartphone');
  }

  before(async () => {
    rig = await ReceptionRig.start({ reader: 'pcscd', log, breakerOpenMs: 1000 });
  });
  after(async () => {
    await rig?.stop();
  });
  beforeEach(async () => {
    rig.sim.faults.apply({ clear: true });
    await rig.remove('card');
    await rig.remove('smartphone');
    await rig.until(ja.idlePlaceCard);
    lines.length = 0;
  });

  it('item 1: a card pulled while its certificate check is slow cannot make the next patient its holder', async () => {
    rig.fault({ fault: { kind: 'latency', ms: 3000 }, path: '/v1/certificate-checks' });
    const before = rig.receptions().length;
    await rig.insert('valid');
    await faultTaken(); // A's certificate check is in flight
    await rig.remove('card');
    await rig.until(ja.idlePlaceCard);
    await rig.insert('expiring-soon');
    await rig.until(ja.methodQuestion);
    await logged(/read-card: result for an ended session dropped/); // A's late check came back
    rig.service.setTerminalVisualMode(true);
    rig.service.terminalVisualConfirmed(); // 「目視で本人確認完了」 for the patient at the reader
    rig.service.setTerminalVisualMode(false);
    await rig.until(ja.buttonNext); // B's 3-month notice
    rig.press(BUTTON.noticeNext);
    await consentAll(rig);
    assert.ok(rig.text().includes(nameOf('expiring-soon')), `B sees B's name:\n${rig.text()}`);
    assert.ok(!rig.text().includes(nameOf('valid')));
    const added = rig.receptions().slice(before);
    assert.deepEqual(
      added.map((e) => [e.identityMethod, e.qualification?.name]),
      [['visual', nameOf('expiring-soon')]],
      'exactly one reception, for the card on the reader',
    );
  });

  it("item 2: a late answer for a pulled card does not carry the next patient's consents to it", async () => {
    rig.fault({ fault: { kind: 'latency', ms: 3000 }, path: '/v1/confirmations' });
    const before = rig.receptions().length;
    await rig.insert('valid');
    await rig.until(ja.methodQuestion);
    rig.press(BUTTON.methodPin);
    rig.pin('1234');
    await faultTaken(); // A's confirmation is in flight
    await rig.remove('card');
    await rig.until(ja.idlePlaceCard);
    await rig.insert('pin-one-try');
    await rig.until(ja.methodQuestion);
    rig.press(BUTTON.methodPin);
    rig.pin('1234');
    await rig.until((t) => t.includes(ja.buttonAgreeAll) || t.includes(ja.buttonReselect));
    await logged(/query-backend: result for an ended session dropped/); // A's answer came back late
    await consentAll(rig);
    assert.ok(rig.text().includes(nameOf('pin-one-try')));
    const added = rig.receptions().slice(before);
    const a = added.find((e) => e.qualification?.name === nameOf('valid'));
    const b = added.find((e) => e.qualification?.name === nameOf('pin-one-try'));
    assert.ok(a && b, 'both confirmations were recorded');
    assert.equal(a.consents, undefined, "A's reception holds no consents");
    assert.ok(b.consents && b.consents.given.clinicalAndMedication, "B's consents are on B's reception");
  });

  for (const kind of ['malformed-body', 'schema-violation', 'connection-reset'] as const) {
    it(`item 3: a ${kind} answer to a recorded confirmation still ends in 完了, with one reception`, async () => {
      rig.fault({ fault: kind === 'connection-reset' ? { kind, when: 'after' } : { kind }, path: '/v1/confirmations' });
      const before = rig.receptions().length;
      await rig.insert('valid');
      await rig.until(ja.methodQuestion);
      rig.press(BUTTON.methodPin);
      rig.pin('1234');
      await consentAll(rig);
      const added = rig.receptions().slice(before);
      assert.equal(added.length, 1, 'one reception, not two');
      assert.equal(added[0]?.status, 'qualified');
      assert.ok(rig.text().includes(ja.doneComplete));
    });
  }

  for (const [times, expected] of [
    [3, ja.consentNotRegistered],
    ['always', ja.consentRegistrationUnknown],
  ] as const) {
    it(`item 3: consents failing after the qualification (${times}): 完了 says which, the reception has none`, async () => {
      // 3: every attempt fails, then the lookup says nothing was recorded → "not registered";
      // always: the lookup cannot reach the backend either → "could not be confirmed".
      rig.fault({ fault: { kind: 'http-5xx', status: 503 }, path: '/v1/consents', times });
      const before = rig.receptions().length;
      await rig.insert('valid');
      await rig.until(ja.methodQuestion);
      rig.press(BUTTON.methodPin);
      rig.pin('1234');
      await consentAll(rig);
      assert.ok(rig.text().includes(ja.doneComplete));
      assert.ok(rig.text().includes(expected), rig.text());
      const added = rig.receptions().slice(before);
      assert.equal(added.length, 1);
      assert.equal(added[0]?.consents, undefined);
    });
  }

  it('item 4: one patient whose calls fail three times does not send the next patients to the counter', async () => {
    rig.fault({ fault: { kind: 'http-5xx', status: 503 }, path: '/v1/confirmations', times: 3 });
    await rig.insert('valid');
    await rig.until(ja.methodQuestion);
    rig.press(BUTTON.methodPin);
    rig.pin('1234');
    await rig.until(ja.goToCounter);
    await rig.remove('card');
    for (let i = 0; i < 2; i++) {
      await rig.until(ja.idlePlaceCard);
      const before = rig.receptions().length;
      await rig.insert('valid');
      await rig.until(ja.methodQuestion);
      rig.press(BUTTON.methodPin);
      rig.pin('1234');
      await consentAll(rig);
      assert.equal(rig.receptions().length, before + 1, 'the next patient was confirmed');
      await rig.remove('card');
    }
  });

  it('item 4: while the breaker is open the panel and LEDs say so; after the cool-down a probe confirms the next patient', async () => {
    rig.fault({ fault: { kind: 'http-5xx', status: 503 }, times: 'always' }); // the backend is down
    for (let i = 0; i < 2; i++) {
      await rig.until(ja.idlePlaceCard);
      await rig.insert('valid');
      await rig.until(ja.methodQuestion);
      rig.press(BUTTON.methodPin);
      rig.pin('1234');
      await rig.until(ja.goToCounter);
      await rig.remove('card');
    }
    await rig.until(ja.backendUnreachable);
    assert.deepEqual(rig.leds(), { ledGreen: 1, ledAmber: 0, ledRed: 1 });
    rig.sim.faults.apply({ clear: true });
    await rig.until((t) => t.includes(ja.idlePlaceCard) && !t.includes(ja.backendUnreachable), 10_000);
    assert.deepEqual(rig.leds(), { ledGreen: 1, ledAmber: 0, ledRed: 0 });
    const before = rig.receptions().length;
    await rig.insert('valid');
    await rig.until(ja.methodQuestion);
    rig.press(BUTTON.methodPin);
    rig.pin('1234');
    await consentAll(rig);
    assert.equal(rig.receptions().length, before + 1);
  });

  it('item 4: Android with the backend down goes to the counter, not round the PIN screen', async () => {
    rig.fault({ fault: { kind: 'http-5xx', status: 503 }, path: '/v1/nonces', times: 'always' });
    rig.press(BUTTON.phoneStart);
    await rig.until(ja.buttonAndroid);
    rig.press(BUTTON.phoneAndroid);
    await rig.until(ja.pinPrompt);
    rig.pin('1234');
    await rig.until(ja.phoneHoldAndroid);
    await rig.insert('android', 'smartphone');
    await rig.until(ja.goToCounter);
    assert.ok(!rig.text().includes(ja.phoneHoldAndroid));
  });

  it('issue 16: an Android PIN lock says what applies to a phone and ends when the phone is taken', async () => {
    rig.press(BUTTON.phoneStart);
    await rig.until(ja.buttonAndroid);
    rig.press(BUTTON.phoneAndroid);
    await rig.until(ja.pinPrompt);
    rig.pin('9999');
    await rig.until(ja.phoneHoldAndroid);
    await rig.insert('android', 'smartphone');
    for (let i = 0; i < 2; i++) {
      await rig.until((text) => text.includes(ja.pinPrompt) && text.includes(ja.pinWrong));
      rig.pin('9999');
      await rig.until((text) => !text.includes(ja.pinWrong) || text.includes(ja.pinLockedPhone));
    }
    await rig.until(ja.pinLockedPhone);
    assert.ok(!rig.text().includes('市区町村'), 'a phone PIN is not reset at the municipal office');
    await logged(/staff guidance cause=pin-locked steps=card-on-reader,/);
    await rig.remove('smartphone');
    // Well inside the 30 s counter time: the screen ends with the phone.
    await rig.until(ja.idlePlaceCard, 5_000);
  });

  it('item 6: an iPhone pulled before it signs returns to idle, and a card placed then is read', async () => {
    rig.fault({ fault: { kind: 'latency', ms: 1500 }, path: '/v1/nonces' });
    await holdIphone();
    await faultTaken(); // the nonce the phone is to sign is on its way
    await rig.remove('smartphone');
    await rig.insert('valid');
    await rig.until(ja.methodQuestion, 10_000);
    assert.ok(!rig.receptions().some((e) => e.identityMethod === 'smartphone' && e.receivedAt > new Date(Date.now() - 5000).toISOString()));
  });

  it('item 6: a card placed on a smartphone done screen is read; the done screen goes when the phone does', async () => {
    await holdIphone();
    await consentAll(rig);
    await rig.insert('valid');
    await rig.until(ja.methodQuestion, 10_000);
    rig.press(BUTTON.methodQuit);
    await rig.remove('card');
    await rig.remove('smartphone');
    // the phone's own done screen ends with the phone, not 10 s later
    await rig.until(ja.idlePlaceCard);
    await holdIphone();
    await consentAll(rig);
    await rig.remove('smartphone');
    await rig.until(ja.idlePlaceCard, 3000);
  });

  it('item 7: pcscd gone → the panel says the reader is being prepared; a card placed meanwhile is read when it is back', async () => {
    await rig.stopPcscd();
    await rig.until(ja.readerPreparing);
    assert.deepEqual(rig.leds(), { ledGreen: 1, ledAmber: 1, ledRed: 1 });
    await rig.restartPcscd();
    await rig.insert('valid');
    await rig.until(ja.methodQuestion, 20_000);
    rig.press(BUTTON.methodQuit);
  });
});
