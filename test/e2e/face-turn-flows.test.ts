/**
 * Issue 14 end to end: face authentication with the head-turn challenge on (`face.headTurn`,
 * `RigUnderTmux.start({ headTurn: true })`), the whole rig under tmux. The test acts as the
 * patient (or the attacker) does: it reads the panel, sees which way the device asks to turn —
 * the device picks at random, so the test never knows beforehand — and turns the rig camera's head
 * that way (`fcr rig face turn-left|turn-right`), or the other way, or tilts a print.
 *
 * The frames are pre-rendered (test/face/spoofs/make-rig-turns.ts, test/face/fixtures/turns/) from
 * FaceMesh's 3-D shape of the persona's photograph; the device judges them with face-api's 68
 * landmarks, another model. The oracle is the flow: what the panel shows and what the backend
 * records, never the product's judge. Which persona and which render, and why: make-rig-turns.ts.
 */
import assert from 'node:assert/strict';
import { consentThrough, RigUnderTmux } from './rig-harness';
import { ja } from '../../src/ui/text/ja';

type Side = 'left' | 'right';
const other = (s: Side): Side => (s === 'left' ? 'right' : 'left');

describe('e2e: face authentication with the head-turn challenge', function () {
  this.timeout(240_000);
  let rig: RigUnderTmux;
  before(async () => {
    rig = await RigUnderTmux.start({ headTurn: true });
  });
  after(async () => {
    await rig?.stop();
  });
  afterEach(async () => {
    await rig.fcr('remove').catch(() => undefined);
    await rig.waitForScreen(ja.idlePlaceCard, 30_000).catch(() => undefined);
  });

  /** Taps 顔認証 and waits, as a patient in front of the camera, until the panel asks for a turn: which way. */
  async function askedSide(): Promise<Side> {
    await rig.waitForScreen(ja.buttonFace);
    await rig.fcr('tap', ja.buttonFace);
    const left = ja.faceHints['turn-left'];
    const right = ja.faceHints['turn-right'];
    await rig.waitFor(() => rig.flatScreen().includes(left) || rig.flatScreen().includes(right), 90_000, `「${left}」 or 「${right}」 on the panel`);
    return rig.flatScreen().includes(left) ? 'left' : 'right';
  }

  /** The attacker inserts pin-one-try's card and holds the holder's bent print up: it matches and passes passive liveness, so the panel asks for a turn: which way. */
  async function printAsked(): Promise<Side> {
    await rig.fcr('insert', 'pin-one-try');
    await rig.waitForScreen(ja.buttonFace);
    await rig.fcr('face', 'print');
    return askedSide();
  }

  /** Waits for the attempt's end: the face-failed screen, or consent (accepted); true when it failed. */
  async function refused(what: string): Promise<boolean> {
    const accepted = (): boolean => rig.flatScreen().includes(ja.inheritTitle) || rig.flatScreen().includes(ja.consentMethodTitle);
    await rig.waitFor(() => rig.flatScreen().includes(ja.faceFailed) || accepted(), 90_000, `the end of the face attempt after ${what}`);
    return !accepted();
  }

  /** The service log's face attempt outcomes so far (the session logs each failed attempt). */
  const failedOutcomes = (): string[] => [...rig.log().matchAll(/face-attempt-failed[^\n]*?outcome[=":]+([a-z-]+)/g)].map((m) => m[1]!);

  it('genuine: the patient turns the way asked → accepted, consent, recorded as face', async () => {
    await rig.fcr('face', 'genuine');
    await rig.fcr('insert', 'valid');
    const side = await askedSide();
    await rig.send({ command: 'face', kind: `turn-${side}` });
    await rig.waitFor(() => rig.flatScreen().includes(ja.inheritTitle) || rig.flatScreen().includes(ja.consentMethodTitle), 60_000, `consent after turning ${side}`);
    await consentThrough(rig);
    const last = (await rig.receptions()).at(-1);
    assert.equal(last?.identityMethod, 'face');
    assert.equal(last?.status, 'qualified');
  });

  it('genuine, but turned the other way: not accepted; face authentication fails and PIN or the staff check is offered', async () => {
    const before = (await rig.receptions()).length;
    const failedBefore = failedOutcomes().length;
    await rig.fcr('face', 'genuine');
    await rig.fcr('insert', 'valid');
    const side = await askedSide();
    await rig.send({ command: 'face', kind: `turn-${other(side)}` });
    assert.ok(await refused(`turning ${other(side)} when asked ${side}`), `accepted a turn to the ${other(side)} when asked to the ${side}`);
    const screen = rig.flatScreen();
    assert.ok(screen.includes(ja.buttonPin), 'PIN offered');
    assert.ok(screen.includes(ja.buttonStaff), 'the staff check offered');
    // The challenge saw no turn the asked way: the attempt ended without a face match (`no-turn`
    // reaches the session as no-face), not as a spoof.
    assert.deepEqual(failedOutcomes().slice(failedBefore), ['no-face']);
    assert.equal((await rig.receptions()).length, before, 'nothing recorded');
  });

  it("a print of the holder's photo, tilted the way asked: refused as a spoof; the PIN still works", async () => {
    const failedBefore = failedOutcomes().length;
    const side = await printAsked();
    await rig.send({ command: 'face', kind: `print-turn-${side}` });
    assert.ok(await refused(`the print tilted ${side}`), `accepted the print tilted to the ${side}`);
    assert.deepEqual(failedOutcomes().slice(failedBefore), ['spoof'], 'the plane test refused the tilted print');
    const screen = rig.flatScreen();
    assert.ok(screen.includes(ja.buttonPin) && screen.includes(ja.buttonStaff), 'PIN and the staff check offered');
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await consentThrough(rig);
    assert.equal((await rig.receptions()).at(-1)?.identityMethod, 'pin');
  });

  it("the swap: a print of the holder's photo matches, then another person turns their own head the way asked — not accepted", async () => {
    const before = (await rig.receptions()).length;
    const failedBefore = failedOutcomes().length;
    const side = await printAsked();
    // The attacker lowers the print and turns their own head, a real 3-D turn. Measured in
    // session 10: this flow is refused even with the challenge's identity link taken out (the
    // judge, comparing the turn with the print's landmarks, reads another head's turn wrongly), so
    // it checks the flow, not the link; the link's mutants turn test/face/liveness-attempt.test.ts red.
    await rig.send({ command: 'face', kind: `swap-turn-${side}` });
    assert.ok(await refused(`another person turning ${side} after the holder's print`), `accepted another person's turn to the ${side} after the holder's print matched`);
    assert.equal(failedOutcomes().length, failedBefore + 1, 'one failed attempt');
    const screen = rig.flatScreen();
    assert.ok(screen.includes(ja.buttonPin) && screen.includes(ja.buttonStaff), 'PIN and the staff check offered');
    assert.equal((await rig.receptions()).length, before, 'nothing recorded');
  });
});
