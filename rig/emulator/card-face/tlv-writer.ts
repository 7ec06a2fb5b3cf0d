/**
 * The emulator's own BER-TLV writer for the card files it serves, written from X.690 §8.1.2–8.1.3
 * and not shared with the reader's parser (src/iso7816/ber-tlv.ts), so the reader is checked
 * against bytes it did not produce itself (house rule: independent oracles). Tags are given as
 * their bytes read big-endian (`0xFF20`, `0xDF27`, `0x5F4E`); lengths in the shortest definite
 * form (X.690 §10.1).
 */
export function tlv(tag: number, value: Buffer): Buffer {
  const tagBytes: number[] = [];
  for (let t = tag; t > 0 || tagBytes.length === 0; t = Math.floor(t / 256)) tagBytes.unshift(t % 256);
  const n = value.length;
  let lengthBytes: number[];
  if (n < 128) lengthBytes = [n];
  else {
    const digits: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) digits.unshift(v % 256);
    lengthBytes = [0x80 | digits.length, ...digits];
  }
  return Buffer.concat([Buffer.from(tagBytes), Buffer.from(lengthBytes), value]);
}
