/**
 * Issue 14 end to end: face authentication with the colour flash on (`face.colourFlash`,
 * `RigUnderTmux.start({ colourFlash: true })`), the whole rig under tmux. After the face matches,
 * the reader draws its face screen on full red and blue in a random order; the rig camera sees
 * the panel's light (rig/devices/panel-lit-camera.ts): its subjects are pre-rendered under the
 * counter's light and the panel's red and blue (test/face/spoofs/make-rig-flash.ts, from
 * FaceMesh's 3-D shape and the flash physics of test/face/spoofs/flash-light.ts, not the cue).
 *
 * The oracle is the flow — what the panel shows, what the backend records — and the cue's verdict
 * word in the service log. Each attack below passes the face match and passive liveness (checked
 * when the fixtures were made): only the flash stands between it and a match.
 */
import assert from 'node:assert/strict';
import { consentThrough, RigUnderTmux } from './rig-harness';
import { ja } from '../../src/ui/text/ja';

describe('e2e: face authentication with the colour flash', function () {
  this.timeout(240_000);
  let rig: RigUnderTmux;
  before(async () => {
    rig = await RigUnderTmux.start({ colourFlash: true });
  });
  after(async () => {
    await rig?.stop();
  });
  afterEach(async () => {
    await rig.fcr('remove').catch(() => undefined);
    await rig.waitForScreen(ja.idlePlaceCard, 30_000).catch(() => undefined);
  });

  /** The cue's verdicts in the service log so far (the face adapter logs one per flash). */
  const verdicts = (): string[] => [...rig.log().matchAll(/colour flash: ([a-z-]+)/g)].map((m) => m[1]!);
  const accepted = (): boolean => rig.flatScreen().includes(ja.inheritTitle) || rig.flatScreen().includes(ja.consentMethodTitle);

  /** Taps 顔認証 with `persona`'s card in and `kind` in front of the camera; waits for the attempt's end. */
  async function attempt(persona: string, kind: string): Promise<'accepted' | 'failed'> {
    await rig.fcr('insert', persona);
    await rig.waitForScreen(ja.buttonFace);
    await rig.fcr('face', kind);
    await rig.fcr('tap', ja.buttonFace);
    await rig.waitFor(() => rig.flatScreen().includes(ja.faceFailed) || accepted(), 90_000, `the end of the face attempt with ${kind}`);
    return accepted() ? 'accepted' : 'failed';
  }

  it("genuine: the holder's face answers the panel's light → accepted, consent, recorded as face", async () => {
    const before = verdicts().length;
    assert.equal(await attempt('valid', 'flash-genuine'), 'accepted');
    assert.deepEqual(verdicts().slice(before), ['live'], 'the flash ran and found a face');
    await consentThrough(rig);
    const last = (await rig.receptions()).at(-1);
    assert.equal(last?.identityMethod, 'face');
    assert.equal(last?.status, 'qualified');
  });

  it("a phone replaying a video of the holder: it matches and passes passive liveness, but does not answer the flash → refused; PIN and the staff check offered, nothing recorded", async () => {
    const before = (await rig.receptions()).length;
    const verdictsBefore = verdicts().length;
    assert.equal(await attempt('valid', 'flash-replay'), 'failed');
    assert.deepEqual(verdicts().slice(verdictsBefore), ['no-reflection'], 'a screen: the face did not answer the panel');
    const screen = rig.flatScreen();
    assert.ok(screen.includes(ja.buttonPin) && screen.includes(ja.buttonStaff), 'PIN and the staff check offered');
    assert.equal((await rig.receptions()).length, before, 'nothing recorded');
  });

  it("a bent print of the holder's portrait: refused as flat (the paper has no face's relief); the PIN still works", async () => {
    const verdictsBefore = verdicts().length;
    assert.equal(await attempt('pin-one-try', 'flash-print'), 'failed');
    assert.deepEqual(verdicts().slice(verdictsBefore), ['flat-relief']);
    await rig.fcr('tap', ja.buttonPin);
    await rig.fcr('pin', '1234');
    await consentThrough(rig);
    assert.equal((await rig.receptions()).at(-1)?.identityMethod, 'pin');
  });

  it("the swap: the holder's print matches, then, as the panel flashes, another person's own face is under it — refused as untied; nothing recorded", async () => {
    const before = (await rig.receptions()).length;
    const verdictsBefore = verdicts().length;
    // pin-one-try's bent print (it matches and passes passive liveness), lowered the moment the
    // panel turns red or blue: the camera then sees persona valid's own head, live, answering the
    // light. Without the flash's face tie this is accepted (test/face/flash-attempt.test.ts).
    assert.equal(await attempt('pin-one-try', 'flash-swap'), 'failed');
    assert.deepEqual(verdicts().slice(verdictsBefore), ['untied']);
    const screen = rig.flatScreen();
    assert.ok(screen.includes(ja.buttonPin) && screen.includes(ja.buttonStaff), 'PIN and the staff check offered');
    assert.equal((await rig.receptions()).length, before, 'nothing recorded');
  });
});
