/**
 * `fcr confirm --method pin --pin NNNN --consent all|none|<list> [--json]`
 *
 * One complete non-interactive confirmation on the rig (issue 3 §4): the card on the PC/SC reader
 * (the system pcscd, or the one `PCSCLITE_CSOCK_NAME` names) → proof → the backend named in
 * `<rig dir>/backend/` (written by `fcr backend-sim`) → the result record on stdout.
 *
 * Exit status: 0 qualified; 4 answered but not qualified (invalid, no-record, certificate
 * refused); 1 failure, with the typed error's name (`WrongPinError`, `BackendFailedError` with its kind, …) on
 * stderr and, with --json, as `{"error":{"name":…}}` on stdout; 2 usage. The PIN is never printed.
 */
import { parseCommandLine } from '../../src/cli/args';
import { BackendClient } from '../../src/backend/client';
import { confirmOnce, type ConsentChoice } from '../confirm-once';
import { consentCategories, type ConsentCategory } from '../../src/backend/protocol';
import { readBackendRigFiles } from '../backend-simulator/rig-files';
import { staffGuidanceFor } from '../../src/session/staff-guidance';
import type { FailureCause } from '../../src/session/effects';

const usage = `usage: fcr confirm --method pin|smartphone|visual [--pin NNNN] [--consent all|none|<list>] [--json]
                   [--platform android|iphone] [--kind standard|qualification-only]
                   [--wait-card MS] [--timeout MS]
  <list>: comma-separated of ${consentCategories.join(', ')}`;

function parseConsent(text: string): ConsentChoice | undefined {
  if (text === 'all' || text === 'none') return text;
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0 || !parts.every((p) => (consentCategories as readonly string[]).includes(p))) return undefined;
  return parts as ConsentCategory[];
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(
    argv,
    {
      method: { type: 'string', default: 'pin' },
      pin: { type: 'string' },
      consent: { type: 'string', default: 'none' },
      platform: { type: 'string', default: 'android' },
      kind: { type: 'string', default: 'standard' },
      'wait-card': { type: 'string', default: '10000' },
      timeout: { type: 'string', default: '5000' },
      json: { type: 'boolean', default: false },
    },
    usage,
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const consent = parseConsent(values.consent);
  const method = values.method;
  const platform = values.platform;
  const kind = values.kind;
  const waitMs = Number(values['wait-card']);
  const timeoutMs = Number(values.timeout);
  if (
    consent === undefined ||
    (method !== 'pin' && method !== 'smartphone' && method !== 'visual') ||
    (platform !== 'android' && platform !== 'iphone') ||
    (kind !== 'standard' && kind !== 'qualification-only') ||
    !(waitMs > 0) ||
    !(timeoutMs > 0)
  ) {
    process.stderr.write(usage + '\n');
    return 2;
  }

  const fail = (e: unknown): number => {
    const err = e as Error;
    const name = err?.name ?? 'Error';
    // The typed error's own fields (a backend failure's kind and step, a wrong PIN's tries left).
    const fields = Object.fromEntries(Object.entries((err ?? {}) as object).filter(([k, v]) => ['kind', 'step', 'triesLeft', 'reason', 'status'].includes(k) && typeof v !== 'object'));
    if (values.json) process.stdout.write(JSON.stringify({ error: { name, message: err?.message ?? String(e), ...fields } }) + '\n');
    process.stderr.write(`fcr confirm: ${name}: ${err?.message ?? String(e)}\n`);
    return 1;
  };

  let config;
  try {
    config = await readBackendRigFiles();
  } catch (e) {
    return fail(e);
  }
  const backend = new BackendClient({ ...config, timeoutMs });
  // pcsclite is loaded only here (lazy), after PCSCLITE_CSOCK_NAME is whatever the caller set.
  const { PcscliteCardReaderDriver } = await import('../../src/devices/card-reader/pcsclite-driver');
  const driver = new PcscliteCardReaderDriver();
  try {
    await driver.start();
    const result = await confirmOnce({
      driver,
      backend,
      method,
      ...(values.pin !== undefined ? { pin: values.pin } : {}),
      platform,
      consent,
      kind,
      waitForCardMs: waitMs,
    });
    if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
    else {
      const c = result.confirmation;
      process.stdout.write(`reception #${c.receptionSeq}: ${c.status} (${c.identityMethod}); certificate ${c.certificate.usability}\n`);
      if (c.status === 'qualified') {
        const q = c.qualification;
        process.stdout.write(`  ${q.name} ${q.birthDate} insurer ${q.insurerNumber} ${q.cardSymbol ?? ''} ${q.cardNumber} burden ${q.burdenPercent}%\n`);
      } else {
        // What staff are told is the reader's decision (SPEC §8), not the backend's.
        const cause: FailureCause =
          c.status === 'certificate-refused'
            ? { kind: c.certificate.usability === 'revoked' ? 'certificate-revoked' : 'certificate-expired' }
            : { kind: 'qualification', detail: c.status };
        const g = staffGuidanceFor(cause);
        if (g) process.stdout.write(`  staff: ${g.steps.join(' → ')}; claim ${g.claimRoutes.map((r) => r.route).join(' → ')}\n`);
      }
      if (c.notices.length > 0) process.stdout.write(`  notices: ${c.notices.join(', ')}\n`);
      process.stdout.write(`  time: ${result.timing.totalMs} ms (card ${result.timing.cardMs}, backend ${result.timing.backendMs})\n`);
    }
    return result.confirmation.status === 'qualified' ? 0 : 4;
  } catch (e) {
    return fail(e);
  } finally {
    await driver.stop();
  }
}
