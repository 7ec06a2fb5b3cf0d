/**
 * The rig's turning camera (rig/devices/turning-camera.ts): a turn plays inside the running camera
 * (same object, seq numbers continuing) and its last frame is held; the base camera is stopped.
 */
import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { SimulatedCamera } from '../../rig/devices/simulated-camera';
import { TurningCamera } from '../../rig/devices/turning-camera';
import type { RgbFrame } from '../../src/devices/camera/frame';

const img = (v: number): { width: number; height: number; rgb: Uint8Array } => ({ width: 2, height: 1, rgb: new Uint8Array(6).fill(v) });

describe('rig TurningCamera', () => {
  it('shows the base camera, then the turn in order, then holds the last frame; seq keeps growing', async () => {
    const clock = FakeTimers.install({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const base = new SimulatedCamera();
      const cam = new TurningCamera(base, 10, 100); // one frame a pose
      const seen: RgbFrame[] = [];
      cam.onFrame((f) => seen.push(f));
      cam.start();
      assert.ok(base.running && cam.running);
      base.push(img(1));
      base.push(img(1));
      await cam.play([img(2), img(3), img(4)]);
      assert.equal(base.running, false, 'the base camera is stopped while the turn plays');
      base.push(img(9)); // a stopped camera gives nothing (and it would not be shown)
      clock.tick(100 * 5);
      assert.deepEqual(seen.map((f) => f.rgb[0]), [1, 1, 2, 3, 4, 4, 4, 4]);
      assert.deepEqual(seen.map((f) => f.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.equal(cam.latestFrame()?.rgb[0], 4);
      await cam.stop();
      clock.tick(1000);
      assert.equal(seen.length, 8, 'nothing after stop()');
      assert.equal(cam.latestFrame(), undefined);
    } finally {
      clock.uninstall();
    }
  });

  it('shows each pose for poseMs (a patient turning in steps the device cannot miss), then holds the last', async () => {
    const clock = FakeTimers.install({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const cam = new TurningCamera(new SimulatedCamera(), 10, 300);
      const seen: number[] = [];
      cam.onFrame((f) => seen.push(f.rgb[0]!));
      cam.start();
      await cam.play([img(2), img(3), img(4)]);
      clock.tick(100 * 10);
      assert.deepEqual(seen, [2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4]);
      await cam.stop();
    } finally {
      clock.uninstall();
    }
  });

  it('passes on the base camera failing before a turn', async () => {
    const base = new SimulatedCamera();
    const cam = new TurningCamera(base, 10);
    let failed = 0;
    cam.on('camera-failed', () => failed++);
    cam.start();
    base.fail();
    assert.equal(failed, 1);
    await cam.stop();
  });

  it('ignores a turn while stopped', async () => {
    const cam = new TurningCamera(new SimulatedCamera(), 10);
    await cam.play([img(2)]);
    assert.equal(cam.latestFrame(), undefined);
  });
});
