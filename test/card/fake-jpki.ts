/**
 * A minimal JPKI card for unit tests of the client (STYLE §12, the in-process depth): just the
 * commands the client sends, answered as OpenSC's driver expects the card to. The full emulator
 * (rig/emulator) is exercised by the integration tests through pcscd.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { constants, createPrivateKey, privateEncrypt, webcrypto, type KeyObject } from 'node:crypto';
import { decodeCommand } from '../../src/iso7816';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface FakeKeys {
  key: KeyObject;
  certificate: Buffer;
}

export async function makeTestCertificate(notAfter = new Date('2030-01-01T00:00:00Z')): Promise<FakeKeys> {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0a1b2c',
    name: 'CN=TEST user auth',
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter,
    keys,
    signingAlgorithm: alg,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { key: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }), certificate: Buffer.from(cert.rawData) };
}

const hex = (b: Buffer): string => b.toString('hex').toUpperCase();
const sw = (n: number, data: Buffer = Buffer.alloc(0)): Buffer => Buffer.concat([data, Buffer.from([n >> 8, n & 0xff])]);

export class FakeJpkiCard {
  readonly atr = Buffer.from('3BE000FF8131FE4514', 'hex');
  triesLeft: number;
  /** Called before each APDU is answered (tests pull the card out from here). */
  beforeAnswer: ((apduNumber: number) => void) | undefined;
  pinSet = true;
  private verified = false;
  private app = false;
  private ef: number | undefined;
  /** Every command header seen, e.g. `00A4040C`. */
  readonly log: string[] = [];

  constructor(
    readonly keys: FakeKeys,
    readonly pin = '1234',
    triesLeft = 3,
  ) {
    this.triesLeft = triesLeft;
  }

  powerOff(): void {
    this.reset();
  }

  reset(): void {
    this.verified = false;
    this.app = false;
    this.ef = undefined;
  }

  transmit(apdu: Buffer): Buffer {
    const c = decodeCommand(apdu);
    this.log.push(hex(apdu.subarray(0, 4)));
    this.beforeAnswer?.(this.log.length);
    if (c.ins === 0xa4 && c.p1 === 0x04) {
      if (hex(c.data) !== 'D392F000260100000001') return sw(0x6a82);
      this.app = true;
      this.ef = undefined;
      return sw(0x9000);
    }
    if (c.ins === 0xa4 && c.p1 === 0x02) {
      if (!this.app) return sw(0x6a82);
      const fid = c.data.readUInt16BE(0);
      if (fid === 0x0018 && !this.pinSet) return sw(0x6a82);
      if (![0x000a, 0x0017, 0x0018].includes(fid)) return sw(0x6a82);
      this.ef = fid;
      return sw(0x9000);
    }
    if (c.ins === 0xb0) {
      if (this.ef !== 0x000a) return sw(0x6986);
      const off = (c.p1 << 8) | c.p2;
      const file = this.keys.certificate;
      if (off > file.length) return sw(0x6b00);
      return sw(0x9000, file.subarray(off, off + (c.le ?? 0)));
    }
    if (c.ins === 0x20) {
      if (this.ef !== 0x0018) return sw(0x6986);
      if (this.triesLeft === 0) return sw(0x6983);
      if (c.data.length === 0) return this.verified ? sw(0x9000) : sw(0x63c0 | this.triesLeft);
      if (c.data.toString('ascii') === this.pin) {
        this.triesLeft = 3;
        this.verified = true;
        return sw(0x9000);
      }
      this.triesLeft--;
      return sw(0x63c0 | this.triesLeft);
    }
    if (c.ins === 0x2a && c.cla === 0x80) {
      if (this.ef !== 0x0017) return sw(0x6986);
      if (!this.verified) return sw(0x6982);
      // Raw PKCS#1 v1.5 type 1 over the DigestInfo the client sent.
      return sw(0x9000, privateEncrypt({ key: this.keys.key, padding: constants.RSA_PKCS1_PADDING }, c.data));
    }
    return sw(0x6d00);
  }
}
