/**
 * The simulator's test PKI for the TLS link (issue 3 §3): a facility CA (the confirmation
 * terminal's CA in a real facility), a server certificate for 127.0.0.1 / localhost, a device
 * certificate + key for the reader, and one for the reception computer. Generated at start when
 * none is given; ECDSA P-256 so generation costs milliseconds, not seconds. Every name says TEST.
 *
 * These are test keys only. They are written to `<rig dir>/backend/` (mode 0600) for cross-process
 * use by `rig-files.ts`, never committed.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface FacilityPki {
  /** The facility CA certificate (PEM): the client pins the server by it; the server trusts devices by it. */
  caCertPem: string;
  server: PemPair;
  /** The reader's TLS client identity; its key also signs face statements. */
  device: PemPair & { deviceId: string };
  /** The reception computer's TLS client identity (for `GET /receptions`). */
  reception: PemPair;
}

type KeyPair = webcrypto.CryptoKeyPair;

async function ecKeys(): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as KeyPair;
}

async function keyPem(keys: KeyPair): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string;
}

function serial(): string {
  const b = randomBytes(8);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x01;
  return b.toString('hex');
}

export interface GenerateFacilityPkiOptions {
  /** Subject of the CA; a different name gives a "rogue" CA for TLS-failure injection. */
  caName?: string;
  deviceId?: string;
  now?: Date;
  /**
   * More names for the server certificate besides 127.0.0.1 / localhost: the address a client
   * elsewhere reaches the simulator by (the HIL guest's 10.0.2.100, forwarded by QEMU to loopback).
   */
  serverNames?: { dns?: string[]; ip?: string[] };
}

export async function generateFacilityPki(options: GenerateFacilityPkiOptions = {}): Promise<FacilityPki> {
  const now = options.now ?? new Date();
  const deviceId = options.deviceId ?? 'fcr-test-reader-01';
  const caName = options.caName ?? 'C=JP, O=FCR TEST facility, CN=FCR TEST facility terminal CA';
  const notBefore = new Date(now.getTime() - DAY_MS);
  const notAfter = new Date(now.getTime() + 825 * DAY_MS);
  const caKeys = await ecKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: caName,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const issue = async (subject: string, usage: 'server' | 'client', san?: x509.JsonGeneralNames): Promise<PemPair> => {
    const keys = await ecKeys();
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ];
    if (san) extensions.push(new x509.SubjectAlternativeNameExtension(san));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject,
      issuer: ca.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: SIGN,
      extensions,
    });
    return { certPem: cert.toString('pem'), keyPem: await keyPem(keys) };
  };

  const server = await issue('C=JP, O=FCR TEST facility, CN=localhost', 'server', [
    { type: 'dns', value: 'localhost' },
    { type: 'ip', value: '127.0.0.1' },
    ...(options.serverNames?.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.serverNames?.ip ?? []).map((value) => ({ type: 'ip' as const, value })),
  ]);
  const device = await issue(`C=JP, O=FCR TEST facility, CN=${deviceId}`, 'client');
  const reception = await issue('C=JP, O=FCR TEST facility, CN=reception-computer', 'client');
  return { caCertPem: ca.toString('pem'), server, device: { ...device, deviceId }, reception };
}

/** The device key as a KeyObject (to sign face statements). */
export function deviceKeyObject(pki: Pick<FacilityPki, 'device'>): KeyObject {
  return createPrivateKey(pki.device.keyPem);
}
