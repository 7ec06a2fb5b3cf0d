import assert from 'node:assert/strict';
import { encodeTouchReport, MalformedTouchReportError, parseTouchReport, toPanelCell } from '../../../src/devices/touch/touch-report';
import { SimulatedTouchController } from '../../../src/devices/touch/touch-controller';
import { silentLogger } from '../../../src/log/logger';

const calibration = { reportId: 2, minX: 100, maxX: 4000, minY: 200, maxY: 3000 };

describe('HID touch reports', () => {
  it('parses tip, X and Y little-endian', () => {
    const s = parseTouchReport(encodeTouchReport(2, true, 1234, 2345), calibration);
    assert.deepEqual(s, { tip: true, x: 1234, y: 2345 });
  });

  it('swaps axes for a portrait panel', () => {
    const s = parseTouchReport(encodeTouchReport(2, false, 10, 20), { ...calibration, swapXY: true });
    assert.deepEqual(s, { tip: false, x: 20, y: 10 });
  });

  it('rejects a short report or another report id with a typed error', () => {
    assert.throws(() => parseTouchReport(Buffer.from([2, 1, 0]), calibration), MalformedTouchReportError);
    assert.throws(() => parseTouchReport(encodeTouchReport(3, true, 1, 1), calibration), MalformedTouchReportError);
  });

  it('maps calibrated coordinates to cells and clamps outside the glass', () => {
    assert.deepEqual(toPanelCell({ tip: true, x: 100, y: 200 }, calibration, 80, 24), { x: 0, y: 0 });
    assert.deepEqual(toPanelCell({ tip: true, x: 4000, y: 3000 }, calibration, 80, 24), { x: 79, y: 23 });
    assert.deepEqual(toPanelCell({ tip: true, x: 2050, y: 1600 }, calibration, 80, 24), { x: 40, y: 12 });
    assert.deepEqual(toPanelCell({ tip: true, x: 0, y: 65535 }, calibration, 80, 24), { x: 0, y: 23 });
    assert.deepEqual(toPanelCell({ tip: true, x: 100, y: 200 }, { ...calibration, invertX: true, invertY: true }, 80, 24), { x: 79, y: 23 });
  });

  it('reports one tap at the release point and survives garbage reports', () => {
    const c = new SimulatedTouchController(calibration, () => ({ cols: 80, rows: 24 }), silentLogger);
    const taps: { x: number; y: number }[] = [];
    c.onTap((t) => taps.push(t));
    c.inject(encodeTouchReport(2, true, 100, 200));
    c.inject(Buffer.from([9, 9]));
    c.inject(encodeTouchReport(2, true, 2050, 1600));
    assert.equal(taps.length, 0);
    c.inject(encodeTouchReport(2, false, 0, 0));
    assert.deepEqual(taps, [{ x: 40, y: 12 }]);
    c.inject(encodeTouchReport(2, false, 0, 0));
    assert.equal(taps.length, 1);
  });
});
