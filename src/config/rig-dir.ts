/**
 * Where the simulated rig keeps its generated files: `$FCR_RIG_DIR`, or `<repo>/.rig` (git-ignored).
 * Here, not in the rig's persona credentials, because `defaultRigConfig` names the rig's result
 * folder and the configuration module is on the device's import path: the device bundle must not
 * pull in the rig (and its X.509 test PKI) to compute a folder it never uses.
 */
import { resolve } from 'node:path';

export function defaultRigDir(): string {
  const fromEnv = process.env.FCR_RIG_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return resolve(__dirname, '..', '..', '.rig');
}
