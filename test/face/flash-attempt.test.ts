/**
 * The colour flash inside the attempt loop (face-attempt.ts `flash`): a scripted verifier answers
 * for the faces, a simulated camera's frames take the colour the test's panel shows (a head's
 * dome of reflected light, or nothing for a screen), drawn by this test.
 */
import assert from 'node:assert/strict';
import { SimulatedCamera } from '../../rig/devices/simulated-camera';
import type { VerifyResult } from '../../src/face/decision';
import { runFaceAttempt } from '../../src/face/face-attempt';
import type { FlashColour } from '../../src/face/liveness/flash';
import type { Box } from '../../src/face/image';
import { descriptorAt, ScriptedVerifier } from './scripted-verifier';

const W = 320;
const H = 240;
const box: Box = { x: 110, y: 70, width: 100, height: 110 };

const face = descriptorAt;
const matching = (n: number): VerifyResult[] => Array.from({ length: n }, () => ({ outcome: 'match', score: 0.86, probe: face(0), box }));

/** The frame the camera sees with the panel showing `colour`: a skin-coloured scene, the face lit as a head (or not at all). */
function frameUnder(colour: FlashColour | undefined, reflects: boolean): { width: number; height: number; rgb: Uint8Array } {
  const rgb = new Uint8Array(W * H * 3);
  const panel = colour === 'red' ? [1, 0.1, 0.03] : colour === 'blue' ? [0.03, 0.15, 1] : [0, 0, 0];
  const base = [170, 120, 100];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const u = (x - (box.x + box.width / 2)) / (box.width / 2);
      const v = (y - (box.y + box.height / 2)) / (box.height / 2);
      const r2 = u * u + v * v;
      const g = reflects && r2 <= 1.2 ? 0.12 * (1 - Math.min(1, r2)) : 0;
      for (let c = 0; c < 3; c++) rgb[(y * W + x) * 3 + c] = Math.min(255, Math.round(base[c]! * (1 + panel[c]! * g)));
    }
  }
  return { width: W, height: H, rgb };
}

describe('runFaceAttempt with the colour flash', () => {
  let cam: SimulatedCamera;
  let timer: NodeJS.Timeout;
  let showing: FlashColour | undefined;
  let shown: (FlashColour | undefined)[];
  let reflects: boolean;
  const panel = {
    show: async (colour: FlashColour | undefined): Promise<void> => {
      showing = colour;
      shown.push(colour);
    },
  };
  beforeEach(() => {
    showing = undefined;
    shown = [];
    reflects = true;
    cam = new SimulatedCamera();
    cam.start();
    // The camera's frames take what the panel shows at the moment each is exposed.
    timer = setInterval(() => cam.push(frameUnder(showing, reflects)), 5);
  });
  afterEach(async () => {
    clearInterval(timer);
    await cam.stop();
  });

  it('accepts a head that reflects the flash, after a random red/blue sequence, and restores the panel', async () => {
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier(matching(6)), flash: { ...panel, random: () => 0.9 } });
    assert.equal(r.outcome, 'match');
    assert.equal(r.flash, 'live');
    assert.deepEqual(shown, ['blue', 'red', 'blue', undefined]);
  });

  it('refuses a face that does not reflect it (a screen, a replayed video) as a spoof', async () => {
    reflects = false;
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier(matching(6)), flash: { ...panel, random: () => 0.1 } });
    assert.equal(r.outcome, 'spoof');
    assert.equal(r.flash, 'no-reflection');
    assert.deepEqual(shown, ['red', 'blue', 'red', undefined]);
  });

  it('refuses the swap: the face under the flash is not the face that matched', async () => {
    // A print of the holder matched; the impostor's own (live, reflecting) face is under the flash.
    const answers: VerifyResult[] = [...matching(3), ...Array.from({ length: 3 }, (): VerifyResult => ({ outcome: 'no-match', score: 0.3, probe: face(70), box }))];
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier(answers), flash: panel });
    assert.equal(r.outcome, 'spoof');
    assert.equal(r.flash, 'untied');
    assert.equal(shown.at(-1), undefined, 'the panel is restored');
  });

  it('follows the matching face through flash frames that no longer match the card', async () => {
    // The colour cast lowers the card score, not the face's own descriptor (cos 10° ≈ 0.985 ≥ 0.80).
    const answers: VerifyResult[] = [...matching(3), ...Array.from({ length: 3 }, (): VerifyResult => ({ outcome: 'no-match', score: 0.77, probe: face(10), box }))];
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier(answers), flash: panel });
    assert.equal(r.outcome, 'match');
    assert.equal(r.flash, 'live');
  });

  it("holds the camera's exposure for the flash frames only: before the first colour, let go after the panel is given back", async () => {
    const events: string[] = [];
    const show = async (colour: FlashColour | undefined): Promise<void> => {
      await panel.show(colour);
      events.push(`show ${colour ?? 'back'}`);
    };
    const hold = async (): Promise<() => Promise<void>> => {
      events.push('hold');
      return async () => void events.push('release');
    };
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier(matching(6)), flash: { show, hold, random: () => 0.1 } });
    assert.equal(r.outcome, 'match');
    assert.deepEqual(events, ['hold', 'show red', 'show blue', 'show red', 'show back', 'release']);
  });

  it('without the option the panel is never asked to flash', async () => {
    const r = await runFaceAttempt({ camera: cam, verifier: new ScriptedVerifier(matching(6)) });
    assert.equal(r.outcome, 'match');
    assert.equal(r.flash, undefined);
    assert.deepEqual(shown, []);
  });
});
