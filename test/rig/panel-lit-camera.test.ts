/**
 * The rig camera that sees the panel's light (issue 14, the e2e with the colour flash): the frame
 * after the panel changed colour shows the subject under that colour, clocked by the base camera;
 * without a subject the base frames pass unchanged (the rig's other faces do not answer the panel).
 */
import assert from 'node:assert/strict';
import { SimulatedCamera } from '../../rig/devices/simulated-camera';
import { PanelLitCamera, type LitSubject, type PanelLight } from '../../rig/devices/panel-lit-camera';
import type { RgbFrame } from '../../src/devices/camera/frame';

const plain = (v: number) => ({ width: 2, height: 1, rgb: new Uint8Array(6).fill(v) });
const subject: LitSubject = { ambient: plain(10), red: plain(20), blue: plain(30) };

describe('rig: PanelLitCamera', () => {
  it('each frame shows the subject under the light the panel shows when the base frame arrives, with the base frame\'s timing', async () => {
    const base = new SimulatedCamera();
    let light: PanelLight | undefined;
    const camera = new PanelLitCamera(base, () => light, subject);
    const seen: RgbFrame[] = [];
    camera.onFrame((f) => seen.push(f));
    camera.start();
    base.push(plain(99));
    light = 'red';
    base.push(plain(99));
    light = 'blue';
    base.push(plain(99));
    light = undefined;
    base.push(plain(99));
    assert.deepEqual(seen.map((f) => f.rgb[0]), [10, 20, 30, 10]);
    assert.deepEqual(seen.map((f) => f.seq), [1, 2, 3, 4], "the base camera's sequence numbers");
    assert.equal(camera.latestFrame()?.rgb[0], 10);
    await camera.stop();
    assert.equal(camera.latestFrame(), undefined, 'nothing kept after stop');
    base.push(plain(99));
    assert.equal(seen.length, 4, 'no frame after stop');
  });

  it('without a subject the base frames pass through whatever the panel shows', async () => {
    const base = new SimulatedCamera();
    const camera = new PanelLitCamera(base, () => 'red', undefined);
    const seen: number[] = [];
    camera.onFrame((f) => seen.push(f.rgb[0]!));
    camera.start();
    base.push(plain(99));
    assert.deepEqual(seen, [99]);
    await camera.stop();
  });
});
