/**
 * The panel's touch controller in the HIL guest: a USB HID digitizer made inside the guest with the
 * kernel's uhid (Documentation/hid/uhid.rst), so the service finds it as the board's one — a
 * hidraw node named by udev, opened with node-hid by vendor and product id, its reports read as the
 * kernel delivers them. QEMU has no USB touch screen (its usb-tablet is a pointer without report
 * ids, a different report than a digitizer's), so the device is created in the guest and its
 * reports written from the host over the root console.
 *
 * Written from the public descriptions, not from the product: the report descriptor from the HID
 * Usage Tables (Digitizers page 0x0D, Touch Screen, one finger: tip switch, X, Y), the uhid events
 * from linux/uhid.h (packed structs; the kernel zero-fills a short write).
 */

/** USB vendor/product of the board's touch controller (hardware/config.example.json's touch.device). */
export const TOUCH_VENDOR = 0x04f3;
export const TOUCH_PRODUCT = 0x0004;
export const TOUCH_REPORT_ID = 1;
/** The logical range the descriptor declares for X and Y (and the test's calibration). */
export const TOUCH_MAX = 4095;

// prettier-ignore
const reportDescriptor = Buffer.from([
  0x05, 0x0d,       // Usage Page (Digitizers)
  0x09, 0x04,       // Usage (Touch Screen)
  0xa1, 0x01,       // Collection (Application)
  0x85, TOUCH_REPORT_ID, //   Report ID
  0x09, 0x22,       //   Usage (Finger)
  0xa1, 0x02,       //   Collection (Logical)
  0x09, 0x42,       //     Usage (Tip Switch)
  0x15, 0x00,       //     Logical Minimum (0)
  0x25, 0x01,       //     Logical Maximum (1)
  0x75, 0x01,       //     Report Size (1)
  0x95, 0x01,       //     Report Count (1)
  0x81, 0x02,       //     Input (Data, Variable, Absolute)
  0x75, 0x07,       //     Report Size (7)
  0x81, 0x03,       //     Input (Constant): padding to the byte
  0x05, 0x01,       //     Usage Page (Generic Desktop)
  0x09, 0x30,       //     Usage (X)
  0x09, 0x31,       //     Usage (Y)
  0x15, 0x00,       //     Logical Minimum (0)
  0x26, TOUCH_MAX & 0xff, TOUCH_MAX >> 8, // Logical Maximum
  0x75, 0x10,       //     Report Size (16)
  0x95, 0x02,       //     Report Count (2)
  0x81, 0x02,       //     Input (Data, Variable, Absolute)
  0xc0,             //   End Collection
  0xc0,             // End Collection
]);

const UHID_CREATE2 = 11;
const UHID_INPUT2 = 12;
const BUS_USB = 0x03;

/** struct uhid_event { u32 type; struct uhid_create2_req } up to the descriptor's end. */
function create2Event(name: string): Buffer {
  const b = Buffer.alloc(4 + 128 + 64 + 64 + 2 + 2 + 4 * 4 + reportDescriptor.length);
  b.writeUInt32LE(UHID_CREATE2, 0);
  b.write(name, 4, 127, 'ascii');
  let o = 4 + 128 + 64 + 64;
  b.writeUInt16LE(reportDescriptor.length, o);
  b.writeUInt16LE(BUS_USB, o + 2);
  b.writeUInt32LE(TOUCH_VENDOR, o + 4);
  b.writeUInt32LE(TOUCH_PRODUCT, o + 8);
  b.writeUInt32LE(1, o + 12); // version
  b.writeUInt32LE(0, o + 16); // country
  o += 20;
  reportDescriptor.copy(b, o);
  return b;
}

/** struct uhid_event { u32 type; struct uhid_input2_req { u16 size; u8 data[] } }: one report. */
function input2Event(tip: boolean, x: number, y: number): Buffer {
  const report = Buffer.from([TOUCH_REPORT_ID, tip ? 1 : 0, x & 0xff, x >> 8, y & 0xff, y >> 8]);
  const b = Buffer.alloc(4 + 2 + report.length);
  b.writeUInt32LE(UHID_INPUT2, 0);
  b.writeUInt16LE(report.length, 4);
  report.copy(b, 6);
  return b;
}

/** Bash's printf writing these bytes in one write(2) (uhid takes one event per write). */
function printfBytes(b: Buffer): string {
  return `printf '${[...b].map((v) => `\\x${v.toString(16).padStart(2, '0')}`).join('')}'`;
}

/** Shell: keep /dev/uhid open on fd 9 of the console's shell (the device lives as long as it) and create the controller. */
export function plugTouchControllerCommand(): string {
  return `modprobe uhid && exec 9<>/dev/uhid && ${printfBytes(create2Event('FCR HIL touch controller'))} >&9`;
}

/** Shell: a finger down and up at a panel cell's centre (a tap counts on release). */
export function tapCommand(col: number, row: number, size: { cols: number; rows: number }): string {
  const x = Math.round(((col + 0.5) / size.cols) * TOUCH_MAX);
  const y = Math.round(((row + 0.5) / size.rows) * TOUCH_MAX);
  return `${printfBytes(input2Event(true, x, y))} >&9 && ${printfBytes(input2Event(false, x, y))} >&9`;
}
