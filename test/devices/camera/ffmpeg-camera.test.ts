import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CameraFailedError, FfmpegCamera, ffmpegArgs, type RgbFrame } from '../../../src/devices/camera';
import { SimulatedCamera } from '../../../rig/devices/simulated-camera';
import { rigCameraSource } from '../../../rig/personas/face-images';
import { waitFor } from '../../wait-for';

/** Resolves when `pred` holds (the shared bounded poll); rejects with what was awaited after `ms`. */
async function until(what: string, pred: () => boolean, ms = 15_000): Promise<void> {
  await waitFor(pred, { what, timeoutMs: ms, intervalMs: 20 });
}

describe('FfmpegCamera (real ffmpeg)', function () {
  this.timeout(30_000);
  const cameras: FfmpegCamera[] = [];
  afterEach(async () => {
    for (const c of cameras.splice(0)) await c.stop();
  });

  it('delivers rgb24 frames of the configured size from a looped still (rig source)', async () => {
    const src = rigCameraSource('genuine', 'valid');
    const cam = new FfmpegCamera({ input: { kind: 'stills', path: src.path }, width: 320, height: 240, fps: 10 });
    cameras.push(cam);
    const seen: RgbFrame[] = [];
    cam.onFrame((f) => seen.push(f));
    cam.start();
    await until('3 frames', () => seen.length >= 3);
    const f = cam.latestFrame();
    assert.ok(f);
    assert.equal(f.width, 320);
    assert.equal(f.height, 240);
    assert.equal(f.rgb.length, 320 * 240 * 3);
    // A photograph, not a blank: many distinct byte values.
    assert.ok(new Set(f.rgb.subarray(0, 30_000)).size > 50);
    assert.deepEqual(seen.map((s) => s.seq), seen.map((_, i) => i + 1));
  });

  it('loops a video file on the rig (more frames than the file holds)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fcr-cam-'));
    try {
      const video = join(dir, 'half-second.mkv');
      execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=20:duration=0.5', '-c:v', 'mjpeg', video]);
      const cam = new FfmpegCamera({ input: { kind: 'video', path: video }, width: 160, height: 120, fps: 20 });
      cameras.push(cam);
      cam.start();
      await until('more than 10 frames from a 10-frame file', () => (cam.latestFrame()?.seq ?? 0) > 15);
      assert.equal(cam.spawnCount, 1); // looped by ffmpeg, not by restarting it
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports spawn-failed when ffmpeg itself is missing', async () => {
    const cam = new FfmpegCamera({ input: { kind: 'lavfi', graph: 'testsrc' }, width: 16, height: 16, fps: 5, ffmpegPath: '/nonexistent/ffmpeg', maxRestarts: 1, backoff: { baseMs: 10, capMs: 10 } });
    cameras.push(cam);
    let failure: CameraFailedError | undefined;
    cam.on('camera-failed', (e) => (failure = e));
    cam.start();
    await until('camera-failed', () => failure !== undefined);
    assert.equal(failure?.reason, 'spawn-failed');
  });

  it('keeps only the newest frame for a slow consumer', async () => {
    const cam = new FfmpegCamera({ input: { kind: 'lavfi', graph: 'testsrc=size=160x120:rate=30' }, width: 160, height: 120, fps: 30 });
    cameras.push(cam);
    let newest = 0;
    cam.onFrame((f) => (newest = f.seq));
    cam.start();
    await until('first frame', () => cam.latestFrame() !== undefined);
    const taken = cam.latestFrame();
    // A consumer busy for a while (like the model) then looks again: it gets the newest frame,
    // not the next one in a queue.
    await until('several newer frames', () => newest >= (taken?.seq ?? 0) + 5);
    const after = cam.latestFrame();
    assert.equal(after?.seq, newest);
    assert.ok((after?.seq ?? 0) > (taken?.seq ?? 0) + 1);
  });

  it('restarts ffmpeg after it is killed and frames resume', async () => {
    const cam = new FfmpegCamera({ input: { kind: 'lavfi', graph: 'testsrc=size=160x120:rate=20' }, width: 160, height: 120, fps: 20, backoff: { baseMs: 50, capMs: 200 } });
    cameras.push(cam);
    const restarts: string[] = [];
    cam.on('restarting', (i) => restarts.push(i.reason));
    cam.start();
    await until('first frame', () => cam.latestFrame() !== undefined);
    const before = cam.latestFrame()?.seq ?? 0;
    const pid = cam.pid;
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    await until('a restart', () => restarts.length === 1);
    await until('frames after restart', () => (cam.latestFrame()?.seq ?? 0) > before + 3);
    assert.deepEqual(restarts, ['exited']);
    assert.equal(cam.spawnCount, 2);
    assert.notEqual(cam.pid, pid);
  });

  it('reports camera-failed after capped restarts when the source is gone', async () => {
    const cam = new FfmpegCamera({ input: { kind: 'stills', path: '/nonexistent/camera.jpg' }, width: 160, height: 120, fps: 10, maxRestarts: 2, backoff: { baseMs: 30, capMs: 60 } });
    cameras.push(cam);
    const delays: number[] = [];
    cam.on('restarting', (i) => delays.push(i.delayMs));
    let failure: CameraFailedError | undefined;
    cam.on('camera-failed', (e) => (failure = e));
    cam.start();
    await until('camera-failed', () => failure !== undefined);
    assert.ok(failure instanceof CameraFailedError);
    assert.equal(failure.reason, 'exited');
    assert.deepEqual(delays, [30, 60]);
    assert.equal(cam.running, false);
    assert.equal(cam.latestFrame(), undefined);
  });

  it('treats a source that stops sending as a stall and gives up with reason stalled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fcr-cam-'));
    try {
      const fake = join(dir, 'ffmpeg-hangs');
      writeFileSync(fake, '#!/bin/sh\nexec sleep 30\n');
      chmodSync(fake, 0o755);
      const cam = new FfmpegCamera({ input: { kind: 'v4l2', device: '/dev/video0' }, width: 160, height: 120, fps: 10, ffmpegPath: fake, stallMs: 200, maxRestarts: 1, backoff: { baseMs: 20, capMs: 20 } });
      cameras.push(cam);
      const reasons: string[] = [];
      cam.on('restarting', (i) => reasons.push(i.reason));
      let failure: CameraFailedError | undefined;
      cam.on('camera-failed', (e) => (failure = e));
      cam.start();
      await until('camera-failed', () => failure !== undefined);
      assert.deepEqual(reasons, ['stalled']);
      assert.equal(failure?.reason, 'stalled');
      assert.equal(cam.spawnCount, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ffmpegArgs', () => {
  const filter = (input: Parameters<typeof ffmpegArgs>[0]['input']): string => {
    const args = ffmpegArgs({ input, width: 640, height: 480, fps: 15 });
    return args[args.indexOf('-vf') + 1] ?? '';
  };
  // The fps filter holds a frame until the next one arrives: a still or a lavfi graph, already at
  // the asked rate, go without it so the first frame is not held back (issue 14, camera start →
  // decision); a file or a device whose rate may differ keep it.
  it('paces a still and a lavfi graph at the source, a video file and a V4L2 device with the fps filter', () => {
    assert.doesNotMatch(filter({ kind: 'stills', path: 'a.jpg' }), /fps=/);
    assert.doesNotMatch(filter({ kind: 'lavfi', graph: 'testsrc=rate=15' }), /fps=/);
    assert.match(filter({ kind: 'video', path: 'a.mkv' }), /,fps=15$/);
    assert.match(filter({ kind: 'v4l2', device: '/dev/video0' }), /,fps=15$/);
    const still = ffmpegArgs({ input: { kind: 'stills', path: 'a.jpg' }, width: 640, height: 480, fps: 15 });
    assert.deepEqual(still.slice(still.indexOf('-re'), still.indexOf('-i')), ['-re', '-loop', '1', '-framerate', '15']);
  });
});

describe('SimulatedCamera', () => {
  it('plays given frames, keeps the newest, drops it on stop and can fail on demand', async () => {
    const img = (v: number): { width: number; height: number; rgb: Uint8Array } => ({ width: 2, height: 1, rgb: new Uint8Array(6).fill(v) });
    const cam = new SimulatedCamera();
    cam.push(img(1)); // ignored before start, like a real camera
    assert.equal(cam.latestFrame(), undefined);
    cam.start();
    cam.push(img(1));
    cam.push(img(2));
    assert.equal(cam.latestFrame()?.rgb[0], 2);
    assert.equal(cam.latestFrame()?.seq, 2);
    let failed = false;
    cam.on('camera-failed', () => (failed = true));
    cam.fail();
    assert.ok(failed);
    assert.equal(cam.running, false);
    assert.equal(cam.latestFrame(), undefined);
    await cam.stop();
  });
});
