import assert from 'node:assert/strict';
import { decide, decideWithSecondLook, decisionDefaultsFor, defaultDecisionConfig, qualityGate } from '../../src/face/decision';
import { FACERES_DESCRIPTOR_LENGTH, joinDescriptors } from '../../src/face/faceres';
import type { Analysis, DetectedFace } from '../../src/face/engine';
import type { GreyImage } from '../../rig/personas/face-images';

const W = 400;
const H = 300;

/** A frame with a sharp checkered "face" region (or flat when blurred), on a given background. */
function frame(box: { x: number; y: number; width: number; height: number }, opts: { faceLuma?: number; bg?: number; sharp?: boolean } = {}): GreyImage {
  const grey = new Uint8Array(W * H).fill(opts.bg ?? 120);
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      const base = opts.faceLuma ?? 130;
      grey[y * W + x] = opts.sharp === false ? base : ((x >> 2) + (y >> 2)) % 2 === 0 ? base + 40 : base - 40;
    }
  }
  return { width: W, height: H, grey };
}

const card = Float32Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? 1 : 0.2));
function face(box: DetectedFace['box'], extra: Partial<DetectedFace> = {}): DetectedFace {
  return { box, score: 0.95, embedding: card, real: 0.9, live: 0.9, ...extra };
}
function analysis(faces: DetectedFace[]): Analysis {
  return { width: W, height: H, faces, ms: 1 };
}
const centred = { x: 150, y: 100, width: 100, height: 100 };

describe('face decision (pure)', () => {
  it('matches a good frame whose descriptor equals the card', () => {
    const r = decide(analysis([face(centred)]), frame(centred), card, defaultDecisionConfig);
    assert.equal(r.outcome, 'match');
    assert.ok((r.score ?? 0) > 0.99);
  });

  it('gives no-match below the threshold', () => {
    const other = Float32Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? 0.1 : 1));
    const r = decide(analysis([face(centred, { embedding: other })]), frame(centred), card, defaultDecisionConfig);
    assert.equal(r.outcome, 'no-match');
  });

  it('rejects with the right hint: several people, too small, off-centre, dark, backlit, blurred, turned away', () => {
    const gate = (faces: DetectedFace[], img: GreyImage): string | undefined => qualityGate(analysis(faces), img, defaultDecisionConfig)?.hint;
    assert.equal(gate([], frame(centred)), 'face-the-camera');
    assert.equal(gate([face(centred), face({ x: 10, y: 10, width: 80, height: 80 })], frame(centred)), 'one-person-only');
    // A small face in the background is someone passing by, not a second patient.
    assert.equal(gate([face(centred), face({ x: 10, y: 10, width: 30, height: 30 })], frame(centred)), undefined);
    const small = { x: 180, y: 130, width: 40, height: 40 };
    assert.equal(gate([face(small)], frame(small)), 'move-closer');
    const corner = { x: 0, y: 0, width: 90, height: 90 };
    assert.equal(gate([face(corner)], frame(corner)), 'center-face');
    assert.equal(gate([face(centred)], frame(centred, { faceLuma: 12, bg: 12, sharp: false })), 'too-dark');
    assert.equal(gate([face(centred)], frame(centred, { faceLuma: 12, bg: 230, sharp: false })), 'backlight');
    assert.equal(gate([face(centred)], frame(centred, { sharp: false })), 'hold-still');
    assert.equal(gate([face(centred, { score: 0.55 })], frame(centred)), 'face-the-camera');
  });

  it('hints remove-mask only on a failed frame whose mouth and chin show no skin', () => {
    const other = Float32Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? 0.1 : 1));
    const masked = { upper: 0.8, lower: 0.01 };
    const noMatch = decide(analysis([face(centred, { embedding: other, skin: masked })]), frame(centred), card, defaultDecisionConfig);
    assert.deepEqual([noMatch.outcome, noMatch.hint], ['no-match', 'remove-mask']);
    const unsure = decide(analysis([face(centred, { score: 0.55, skin: masked })]), frame(centred), card, defaultDecisionConfig);
    assert.deepEqual([unsure.outcome, unsure.hint], ['rejected', 'remove-mask']);
    // A match stays a match; bare skin or no colour information never gets the hint.
    assert.equal(decide(analysis([face(centred, { skin: masked })]), frame(centred), card, defaultDecisionConfig).outcome, 'match');
    assert.equal(decide(analysis([face(centred, { embedding: other, skin: { upper: 0.8, lower: 0.6 } })]), frame(centred), card, defaultDecisionConfig).hint, undefined);
    assert.equal(decide(analysis([face(centred, { embedding: other })]), frame(centred), card, defaultDecisionConfig).hint, undefined);
  });

  it('blames backlight, not the face, for a dim face against a bright surround', () => {
    // Face at luma ~90 against a bright surround: judged normally while liveness is satisfied
    // (a dark-skinned patient before a bright wall is not rejected for the contrast alone)…
    const backlit = frame(centred, { faceLuma: 90, bg: 200 });
    assert.equal(decide(analysis([face(centred)]), backlit, card, defaultDecisionConfig).outcome, 'match');
    // …but when liveness fails there, the light is blamed, not the face.
    const r = decide(analysis([face(centred, { live: 0.2 })]), backlit, card, defaultDecisionConfig);
    assert.deepEqual([r.outcome, r.hint], ['rejected', 'backlight']);
    const evenLight = decide(analysis([face(centred, { live: 0.2 })]), frame(centred, { faceLuma: 100, bg: 100 }), card, defaultDecisionConfig);
    assert.equal(evenLight.outcome, 'spoof');
  });

  it('calls low antispoof or liveness scores a spoof before comparing', () => {
    const lowReal = decide(analysis([face(centred, { real: 0.05 })]), frame(centred), card, defaultDecisionConfig);
    assert.equal(lowReal.outcome, 'spoof');
    assert.equal(lowReal.score, undefined);
    const lowLive = decide(analysis([face(centred, { live: 0.1 })]), frame(centred), card, defaultDecisionConfig);
    assert.equal(lowLive.outcome, 'spoof');
    const off = decide(analysis([face(centred, { live: 0.1 })]), frame(centred), card, { ...defaultDecisionConfig, liveness: false });
    assert.equal(off.outcome, 'match');
  });

  it('gives a compared frame its own descriptor, the burst\'s identity of the frame (issue 14), and a refused frame none', () => {
    const cfg = defaultDecisionConfig;
    const stranger = Float32Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? 0.1 : 1));
    const seen = decide(analysis([face(centred, { embedding: stranger })]), frame(centred), card, cfg);
    assert.equal(seen.outcome, 'no-match');
    assert.deepEqual([...(seen.probe ?? [])], [...stranger], 'the frame\'s face, not the card\'s');
    assert.equal(decide(analysis([face(centred, { live: 0.1 })]), frame(centred), card, cfg).probe, undefined, 'a spoof frame has no identity');
    const { embedding: _, ...bare } = face(centred);
    assert.equal(decide(analysis([bare]), frame(centred), card, cfg).outcome, 'rejected', 'no descriptor, no decision');
  });

  describe('the second look (CLAHE descriptor only for a frame that did not match)', () => {
    const cfg = decisionDefaultsFor('faceres', true);
    const unit = (i: number): Float32Array => {
      const v = new Float32Array(FACERES_DESCRIPTOR_LENGTH);
      v[i] = 1;
      return v;
    };
    // The card: global part along axis 0, CLAHE part along axis 1.
    const cardBoth = joinDescriptors([unit(0), unit(1)]);

    it('a frame whose global descriptor matches is decided without the second one', async () => {
      let looks = 0;
      const r = await decideWithSecondLook(analysis([face(centred, { embedding: unit(0) })]), frame(centred), cardBoth, cfg, async () => {
        looks++;
        return unit(1);
      });
      assert.equal(r.outcome, 'match');
      assert.equal(looks, 0, 'no second FaceRes run for a match');
      assert.equal(r.probe?.length, FACERES_DESCRIPTOR_LENGTH);
    });

    it('a frame the global descriptor does not match is matched on its CLAHE descriptor, and its identity stays the global one', async () => {
      let looks = 0;
      const r = await decideWithSecondLook(analysis([face(centred, { embedding: unit(2) })]), frame(centred), cardBoth, cfg, async () => {
        looks++;
        return unit(1);
      });
      assert.equal(looks, 1);
      assert.equal(r.outcome, 'match', 'the better cosine of like preparations');
      assert.deepEqual(Array.from(r.probe ?? []), Array.from(unit(2)), 'the probe is the global descriptor alone');
      // The same frame with both descriptors at once (what the eval computes): the same outcome.
      assert.equal(decide(analysis([face(centred, { embedding: joinDescriptors([unit(2), unit(1)]) })]), frame(centred), cardBoth, cfg).outcome, 'match');
    });

    it('a CLAHE descriptor that does not match either leaves a no-match; a spoof or a refused frame never gets a second look', async () => {
      let looks = 0;
      const describe = async (): Promise<Float32Array> => {
        looks++;
        return unit(3);
      };
      assert.equal((await decideWithSecondLook(analysis([face(centred, { embedding: unit(2) })]), frame(centred), cardBoth, cfg, describe)).outcome, 'no-match');
      assert.equal(looks, 1);
      assert.equal((await decideWithSecondLook(analysis([face(centred, { embedding: unit(2), live: 0.1 })]), frame(centred), cardBoth, cfg, describe)).outcome, 'spoof');
      assert.equal((await decideWithSecondLook(analysis([face({ x: 150, y: 100, width: 40, height: 40 }, { embedding: unit(2) })]), frame(centred), cardBoth, cfg, describe)).outcome, 'rejected');
      assert.equal(looks, 1);
    });

    it('never compares a global descriptor with a CLAHE one (a swapped card is no match)', async () => {
      const swapped = joinDescriptors([unit(1), unit(0)]);
      const r = await decideWithSecondLook(analysis([face(centred, { embedding: unit(0) })]), frame(centred), swapped, cfg, async () => unit(1));
      assert.equal(r.outcome, 'no-match');
    });
  });
});
