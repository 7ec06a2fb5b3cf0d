import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { personaNames } from '../../rig/personas/catalogue';
import { hasTurnFrames, personaFaceId, personaFacePhoto, rigCameraSource, turnFramePaths } from '../../rig/personas/face-images';

describe('persona face images', () => {
  it('gives every persona that can reach face matching a distinct face', () => {
    // Attack personas whose cards are refused before matching (cloned-files, unknown-issuer) lend
    // their faces to the design personas; forged-photo is matched against a swapped photo, so it keeps its own.
    const matchable = personaNames().filter((n) => n !== 'cloned-files' && n !== 'unknown-issuer');
    const ids = matchable.map(personaFaceId);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(new Set(personaNames().map(personaFaceId)).size, personaNames().length - 2);
  });

  it('decodes the card photo as small greyscale', async () => {
    const img = await personaFacePhoto('valid');
    assert.equal(img.width, 240);
    assert.equal(img.height, 320);
    assert.equal(img.grey.length, 240 * 320);
    // A real photograph, not the flat synthetic fallback: many distinct grey levels.
    assert.ok(new Set(img.grey).size > 100);
  });

  it('points the rig camera at existing stills, the impostor being someone else', () => {
    for (const kind of ['genuine', 'impostor', 'photo'] as const) {
      const src = rigCameraSource(kind, 'valid');
      assert.equal(src.kind, 'stills');
      assert.ok(existsSync(src.path), src.path);
    }
    assert.notEqual(rigCameraSource('genuine', 'valid').path, rigCameraSource('impostor', 'valid').path);
  });

  it('has the head turns the e2e plays (issue 14): valid turns its head, pin-one-try is printed; a camera started on a turn holds its last frame', () => {
    assert.ok(hasTurnFrames('turn-left', 'valid') && hasTurnFrames('turn-right', 'valid'));
    for (const kind of ['print', 'print-turn-left', 'print-turn-right'] as const) assert.ok(hasTurnFrames(kind, 'pin-one-try'), kind);
    assert.equal(hasTurnFrames('turn-left', 'revoked'), false);
    const frames = turnFramePaths('turn-left', 'valid');
    assert.equal(frames.length, 3);
    assert.equal(new Set(frames).size, 3);
    assert.equal(rigCameraSource('turn-left', 'valid').path, frames.at(-1));
  });

  it("the swap kinds turn another person's head than the holder's: none for the turner's own persona", () => {
    for (const side of ['left', 'right'] as const) {
      assert.ok(hasTurnFrames(`swap-turn-${side}`, 'pin-one-try'));
      assert.deepEqual(turnFramePaths(`swap-turn-${side}`, 'pin-one-try'), turnFramePaths(`turn-${side}`, 'valid'));
      assert.equal(hasTurnFrames(`swap-turn-${side}`, 'valid'), false);
    }
  });
});
