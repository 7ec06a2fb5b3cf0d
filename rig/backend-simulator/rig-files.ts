/**
 * Cross-process hand-over of the simulator's TLS test credentials (issue 3 §3): `fcr backend-sim`
 * writes the facility CA, the reader's device certificate + key, the reception computer's
 * certificate + key and the endpoint to `<rig dir>/backend/`; `fcr confirm` and the reader
 * service read them. Test keys only (mode 0600, directory 0700); nothing personal is written.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defaultRigDir } from '../personas/credentials';
import type { BackendClientOptions } from '../../src/backend/client';
import type { FacilityPki } from './facility-pki';

export function backendRigDir(rigDir: string = defaultRigDir()): string {
  return join(rigDir, 'backend');
}

const endpointSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https$/ }),
  adminUrl: z.url().optional(),
  facilityCode: z.string().regex(/^[0-9]{10}$/),
  deviceId: z.string().min(1),
  pid: z.number().int().positive(),
});
export type BackendEndpoint = z.infer<typeof endpointSchema>;

const files = {
  endpoint: 'endpoint.json',
  ca: 'facility-ca.pem',
  deviceCert: 'device.pem',
  deviceKey: 'device.key',
  receptionCert: 'reception.pem',
  receptionKey: 'reception.key',
} as const;

export async function writeBackendRigFiles(dir: string, pki: FacilityPki, endpoint: BackendEndpoint): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const w = (name: string, text: string) => writeFile(join(dir, name), text, { mode: 0o600 });
  await w(files.ca, pki.caCertPem);
  await w(files.deviceCert, pki.device.certPem);
  await w(files.deviceKey, pki.device.keyPem);
  await w(files.receptionCert, pki.reception.certPem);
  await w(files.receptionKey, pki.reception.keyPem);
  // Endpoint last: its presence means the rest is complete.
  await w(files.endpoint, JSON.stringify(endpointSchema.parse(endpoint), null, 2) + '\n');
}

export async function removeBackendRigFiles(dir: string): Promise<void> {
  await Promise.all(Object.values(files).map((f) => rm(join(dir, f), { force: true })));
}

export class BackendNotConfiguredError extends Error {
  override readonly name = 'BackendNotConfiguredError';
  constructor(readonly dir: string) {
    super(`no backend endpoint in ${dir}: start one with \`fcr backend-sim\``);
  }
}

/** Client options for the reader (`device`) or the reception computer (`reception`). */
export async function readBackendRigFiles(
  dir: string = backendRigDir(),
  identity: 'device' | 'reception' = 'device',
): Promise<Pick<BackendClientOptions, 'baseUrl' | 'caCertPem' | 'certPem' | 'keyPem' | 'facilityCode' | 'deviceId'> & { endpoint: BackendEndpoint }> {
  let endpointText: string;
  try {
    endpointText = await readFile(join(dir, files.endpoint), 'utf8');
  } catch {
    throw new BackendNotConfiguredError(dir);
  }
  const endpoint = endpointSchema.parse(JSON.parse(endpointText));
  const [caCertPem, certPem, keyPem] = await Promise.all([
    readFile(join(dir, files.ca), 'utf8'),
    readFile(join(dir, identity === 'device' ? files.deviceCert : files.receptionCert), 'utf8'),
    readFile(join(dir, identity === 'device' ? files.deviceKey : files.receptionKey), 'utf8'),
  ]);
  return { baseUrl: endpoint.baseUrl, caCertPem, certPem, keyPem, facilityCode: endpoint.facilityCode, deviceId: endpoint.deviceId, endpoint };
}
