/**
 * The face camera's automatic exposure and white balance held for the colour flash (issue 14):
 * what is sent to v4l2-ctl, parsed from listings in the format v4l-utils prints (UVC webcams as
 * public bug reports show them), and the real v4l2-ctl's failure on a missing device.
 */
import assert from 'node:assert/strict';
import { CameraControlError, execFileRunner, holdExposure, parseControls, type CommandRunner } from '../../../src/devices/camera/v4l2-controls';
import { FfmpegCamera } from '../../../src/devices/camera/ffmpeg-camera';

/** A UVC webcam on Linux ≥ 5.15, everything automatic (`v4l2-ctl --list-ctrls-menus` layout). */
const UVC = `
User Controls

                     brightness 0x00980900 (int)    : min=0 max=255 step=1 default=128 value=128
        white_balance_automatic 0x0098090c (bool)   : default=1 value=1
           power_line_frequency 0x00980918 (menu)   : min=0 max=2 default=1 value=1 (50 Hz)
                                0: Disabled
                                1: 50 Hz
      white_balance_temperature 0x0098091a (int)    : min=2800 max=6500 step=1 default=4600 value=4600 flags=inactive

Camera Controls

                  auto_exposure 0x009a0901 (menu)   : min=0 max=3 default=3 value=3 (Aperture Priority Mode)
                                1: Manual Mode
                                3: Aperture Priority Mode
         exposure_time_absolute 0x009a0902 (int)    : min=2 max=1250 step=1 default=156 value=156 flags=inactive
`;

/** The names before Linux 5.15. */
const OLD = `
     white_balance_temperature_auto 0x0098090c (bool)   : default=1 value=1
                      exposure_auto 0x009a0901 (menu)   : min=0 max=3 default=3 value=3
`;

function fake(listing: string, fail?: 'list' | 'set'): { run: CommandRunner; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    run: async (file, args) => {
      calls.push([file, ...args]);
      if (fail === 'list' && args.includes('--list-ctrls')) throw new Error('Cannot open device /dev/video0, exiting.');
      if (fail === 'set' && args.includes('--set-ctrl')) throw new Error('VIDIOC_S_EXT_CTRLS: failed: Input/output error');
      return args.includes('--list-ctrls') ? listing : '';
    },
  };
}

describe('camera: v4l2 controls for the colour flash', () => {
  it('parses controls, their types and current values; menu items and headings are not controls', () => {
    const c = parseControls(UVC);
    assert.deepEqual([...c.keys()], ['brightness', 'white_balance_automatic', 'power_line_frequency', 'white_balance_temperature', 'auto_exposure', 'exposure_time_absolute']);
    assert.deepEqual(c.get('auto_exposure'), { name: 'auto_exposure', type: 'menu', value: 3 });
    assert.equal(c.get('white_balance_automatic')?.value, 1);
  });

  it('switches automatic exposure and white balance to manual, and back to what they were', async () => {
    const f = fake(UVC);
    const release = await holdExposure('/dev/video0', f.run);
    assert.deepEqual(f.calls, [
      ['v4l2-ctl', '-d', '/dev/video0', '--list-ctrls'],
      ['v4l2-ctl', '-d', '/dev/video0', '--set-ctrl', 'auto_exposure=1,white_balance_automatic=0'],
    ]);
    await release();
    await release();
    assert.deepEqual(f.calls.slice(2), [['v4l2-ctl', '-d', '/dev/video0', '--set-ctrl', 'auto_exposure=3,white_balance_automatic=1']], 'restored once');
  });

  it('the names before Linux 5.15; a control already manual is left alone; a camera without them holds nothing', async () => {
    const old = fake(OLD);
    await (await holdExposure('/dev/video2', old.run))();
    assert.deepEqual(old.calls.slice(1).map((c) => c.at(-1)), ['exposure_auto=1,white_balance_temperature_auto=0', 'exposure_auto=3,white_balance_temperature_auto=1']);
    const manual = fake(UVC.replace('value=3 (Aperture', 'value=1 (Manual'));
    await (await holdExposure('/dev/video0', manual.run))();
    assert.deepEqual(manual.calls.slice(1).map((c) => c.at(-1)), ['white_balance_automatic=0', 'white_balance_automatic=1']);
    const none = fake('                     brightness 0x00980900 (int)    : min=0 max=255 step=1 default=128 value=128\n');
    await (await holdExposure('/dev/video0', none.run))();
    assert.equal(none.calls.length, 1, 'listed, nothing set');
  });

  it('a failure is a CameraControlError naming the device and the step', async () => {
    await assert.rejects(holdExposure('/dev/video0', fake(UVC, 'list').run), (e: unknown) => e instanceof CameraControlError && e.step === 'list' && /video0/.test(e.message));
    await assert.rejects(holdExposure('/dev/video0', fake(UVC, 'set').run), (e: unknown) => e instanceof CameraControlError && e.step === 'hold' && /Input\/output error/.test(e.message));
  });

  it("Debian's v4l2-ctl on a device that is not there: refused at the listing, with its own message", async () => {
    await assert.rejects(holdExposure('/dev/video-none', execFileRunner), (e: unknown) => e instanceof CameraControlError && e.step === 'list' && /Cannot open device \/dev\/video-none/.test(e.message));
  });

  it('FfmpegCamera holds its V4L2 device; a file source has nothing to hold', async () => {
    const f = fake(UVC);
    const v4l2 = new FfmpegCamera({ input: { kind: 'v4l2', device: '/dev/video3' }, width: 640, height: 480, fps: 15, controls: f.run });
    await (await v4l2.holdExposure())();
    assert.deepEqual(f.calls.map((c) => c[2]), ['/dev/video3', '/dev/video3', '/dev/video3']);
    const stills = new FfmpegCamera({ input: { kind: 'stills', path: '/tmp/x.jpg' }, width: 640, height: 480, fps: 15, controls: f.run });
    await (await stills.holdExposure())();
    assert.equal(f.calls.length, 3, 'no v4l2-ctl for a file');
  });
});
