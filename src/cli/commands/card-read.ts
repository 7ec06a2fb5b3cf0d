/**
 * `fcr card read [--reader NAME] [--slot card|smartphone] [--pin NNNN] [--card-face FILE] [--wait MS] [--json]`
 *
 * Reads the card on a PC/SC reader through the real pcscd (whatever `PCSCLITE_CSOCK_NAME` says,
 * else the system one): the user-authentication certificate (serial, subject, notAfter, SPEC §4
 * status and dates), the PIN tries left, the APDU count and the time taken. With `--pin` it also
 * verifies the PIN and proves the key: the card signs a fresh random challenge, verified here
 * against the certificate. The PIN is never printed or logged; what is read goes to stdout only.
 *
 * With `--card-face FILE` (a card-face image) it reads 照合番号B from the image, presents it only
 * when the scan is sure, and authenticates the card-face data and the chip (SPEC §5.1): the report
 * gains `cardFace: {dataVerified, cardPresent, issuer, photo, codeBTriesLeft, apdus, ms}` — never
 * the digits or the photo. Trust anchors: the rig's test anchor (a technician's tool on the rig).
 *
 * Exit codes: 0 read (and proved), 2 usage, 3 no reader or no card, 4 card error (typed, named
 * in the output), 5 the signature did not verify against the certificate, 6 card-face
 * authentication refused (its reason in the output).
 */
import { readFileSync } from 'node:fs';
import { randomBytes, verify } from 'node:crypto';
import { parseCommandLine } from '../args';
import { ApduLink } from '../../iso7816';
import { certificateStatus } from '../../card/certificate-status';
import { CardError, NoCardError, PinBlockedError, PinNotSetError, ReaderUnavailableError } from '../../card/errors';
import { readUserAuthCertificate, readUserAuthPinState, signWithUserAuthKey, verifyUserAuthPin, type PinState } from '../../card/jpki';
import { defaultSlotMap, type ReaderSlot } from '../../devices/card-reader/card-reader-driver';
import { PcscliteCardReaderDriver } from '../../devices/card-reader/pcsclite-driver';

const usage = 'usage: fcr card read [--reader NAME] [--slot card|smartphone] [--pin NNNN] [--card-face FILE [--config FILE]] [--wait MS] [--json]';

interface ReadReport {
  reader: string;
  slot: ReaderSlot;
  certificate: {
    serial: string;
    subject: string;
    issuer: string;
    notAfter: string;
    status: string;
    expiresOn: string;
    noticeFrom: string;
    graceEndsOn: string;
  };
  pin: PinState;
  read: { apdus: number; bytesSent: number; bytesReceived: number; elapsedMs: number };
  proof?: { pinVerified: boolean; signatureVerified: boolean; apdus: number; elapsedMs: number };
  cardFace?: { dataVerified: boolean; cardPresent: boolean; issuer: string; photo: { format: string; width: number; height: number }; codeBTriesLeft: number; apdus: number; ms: number };
}

function printText(r: ReadReport): void {
  const c = r.certificate;
  const lines = [
    `reader            ${r.reader} (${r.slot})`,
    `serial            ${c.serial}`,
    `subject           ${c.subject}`,
    `issuer            ${c.issuer}`,
    `notAfter          ${c.notAfter}`,
    `status            ${c.status} (expires ${c.expiresOn} JST, notice from ${c.noticeFrom}, grace ends ${c.graceEndsOn})`,
    `PIN               ${r.pin.set ? `${r.pin.triesLeft} tries left` : 'not set (face-authentication card)'}`,
    `read              ${r.read.apdus} APDUs, ${r.read.bytesSent}/${r.read.bytesReceived} bytes sent/received, ${r.read.elapsedMs} ms`,
  ];
  if (r.cardFace) {
    const f = r.cardFace;
    lines.push(`card face         data verified (issuer ${f.issuer}), chip present, photo ${f.photo.format} ${f.photo.width}×${f.photo.height}, 照合番号B ${f.codeBTriesLeft} tries left (${f.apdus} APDUs, ${f.ms} ms)`);
  }
  if (r.proof) {
    lines.push(
      `proof             PIN ${r.proof.pinVerified ? 'verified' : 'refused'}, signature ${r.proof.signatureVerified ? 'verified against the certificate' : 'DOES NOT VERIFY'} (${r.proof.apdus} APDUs, ${r.proof.elapsedMs} ms)`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

function waitForCard(driver: PcscliteCardReaderDriver, slot: ReaderSlot, ms: number): Promise<boolean> {
  if (driver.cardIn(slot)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(driver.cardIn(slot) !== undefined);
    }, ms);
    const off = driver.onEvent((e) => {
      if (e.type === 'card-inserted' && e.slot === slot) {
        clearTimeout(timer);
        off();
        resolve(true);
      }
    });
  });
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(
    argv,
    {
      reader: { type: 'string' },
      slot: { type: 'string' },
      pin: { type: 'string' },
      wait: { type: 'string' },
      'card-face': { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
    },
    usage,
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const configFile = values.config ?? '/etc/face-card-reader/config.json';
  const slot: ReaderSlot = values.slot === 'smartphone' ? 'smartphone' : 'card';
  if (values.slot !== undefined && values.slot !== 'card' && values.slot !== 'smartphone') {
    process.stderr.write(`--slot must be card or smartphone\n${usage}\n`);
    return 2;
  }
  const waitMs = values.wait !== undefined ? Number(values.wait) : 3000;
  if (!Number.isFinite(waitMs) || waitMs < 0) {
    process.stderr.write(`--wait must be milliseconds\n${usage}\n`);
    return 2;
  }
  const pin = values.pin;
  if (pin !== undefined && !/^[0-9]{4}$/.test(pin)) {
    process.stderr.write('--pin must be 4 digits\n');
    return 2;
  }
  const json = values.json === true;
  let faceImage: Buffer | undefined;
  if (values['card-face'] !== undefined) {
    try {
      faceImage = readFileSync(values['card-face']);
    } catch (err) {
      process.stderr.write(`cannot read ${values['card-face']}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
      return 2;
    }
  }
  const wanted = values.reader;
  // --reader NAME puts that reader (whatever its name) on the chosen slot; otherwise the rig's
  // names, and any other reader counts as the card slot.
  const slotMap = wanted !== undefined
    ? (name: string): ReaderSlot | undefined => (name === wanted ? slot : undefined)
    : (name: string): ReaderSlot | undefined => defaultSlotMap[name] ?? 'card';

  const fail = (code: number, error: Error): number => {
    const e = error as CardError;
    if (json) {
      const out: Record<string, unknown> = { error: e.name, message: e.message };
      if (e instanceof CardError) {
        if (e.sw !== undefined) out.sw = e.sw.toString(16).toUpperCase().padStart(4, '0');
        if (e.step !== undefined) out.step = e.step;
      }
      process.stdout.write(JSON.stringify(out) + '\n');
    } else {
      process.stderr.write(`fcr card read: ${e.name}: ${e.message}\n`);
    }
    return code;
  };

  const driver = new PcscliteCardReaderDriver({ slotMap });
  try {
    await driver.start();
    if (!(await waitForCard(driver, slot, waitMs))) {
      if (driver.readerNames().length === 0) {
        const where = process.env.PCSCLITE_CSOCK_NAME ?? 'the system pcscd';
        return fail(3, new ReaderUnavailableError(`no PC/SC reader (is pcscd running at ${where}?)`));
      }
      return fail(3, new NoCardError({ step: wanted !== undefined ? `wait for a card in ${wanted}` : `wait for a card (${slot} slot)` }));
    }
    const reader = driver.cardIn(slot)?.reader ?? wanted ?? '';
    const started = performance.now();
    const { cert, pinState, counters } = await driver.transact(slot, async (channel) => {
      const link = new ApduLink(channel);
      const c = await readUserAuthCertificate(link);
      const p = await readUserAuthPinState(link);
      return { cert: c, pinState: p, counters: { ...link.counters } };
    });
    const elapsedMs = Math.round(performance.now() - started);
    const status = certificateStatus(cert.certificate, new Date());
    const report: ReadReport = {
      reader,
      slot,
      certificate: {
        serial: cert.certificate.serialNumber.toUpperCase(),
        subject: cert.certificate.subject.replace(/\n/g, ', '),
        issuer: cert.certificate.issuer.replace(/\n/g, ', '),
        notAfter: status.notAfter.toISOString(),
        status: status.status,
        expiresOn: status.expiresOn,
        noticeFrom: status.noticeFrom,
        graceEndsOn: status.graceEndsOn,
      },
      pin: pinState,
      read: { ...counters, elapsedMs },
    };
    cert.der.fill(0);

    if (faceImage) {
      const { CardFaceReader } = await import('../../card-face/ocr');
      const { readCardFaceSummary, trustAnchorsFrom, CardFaceRefusedError } = await import('../../card-face');
      const { loadConfig } = await import('../../config');
      const faceReader = new CardFaceReader();
      const image = faceImage;
      try {
        // The configured issuer anchors, as the service uses them (test anchors are the rig's alone).
        const trustAnchors = trustAnchorsFrom(loadConfig(configFile));
        const summary = await driver.transact(slot, (channel) => readCardFaceSummary(channel, image, faceReader, { trustAnchors, rigMode: false }), { exclusive: true });
        report.cardFace = { dataVerified: summary.dataVerified, cardPresent: summary.cardPresent, issuer: summary.issuer, photo: summary.photo, codeBTriesLeft: summary.codeBTriesLeft, apdus: summary.apdus, ms: summary.ms };
      } catch (e) {
        if (e instanceof CardFaceRefusedError) {
          if (json) process.stdout.write(JSON.stringify({ ...report, cardFace: { refused: e.reason, message: e.message, ...(e.triesLeft !== undefined ? { codeBTriesLeft: e.triesLeft } : {}) } }) + '\n');
          else process.stderr.write(`fcr card read: card face refused: ${e.reason}: ${e.message}\n`);
          return 6;
        }
        throw e;
      } finally {
        image.fill(0);
        await faceReader.stop();
      }
    }

    if (pin !== undefined) {
      // Never present a PIN the card cannot take: it would cost nothing useful (STYLE §13).
      if (!pinState.set) return fail(4, new PinNotSetError({ step: 'verify-pin' }));
      if (pinState.triesLeft === 0) return fail(4, new PinBlockedError({ step: 'verify-pin' }));
      const challenge = randomBytes(32);
      const t0 = performance.now();
      const proof = await driver.transact(
        slot,
        async (channel) => {
          const link = new ApduLink(channel);
          await verifyUserAuthPin(link, pin);
          const signature = await signWithUserAuthKey(link, { data: challenge, hash: 'sha256' });
          return { signature, apdus: link.counters.apdus };
        },
        { exclusive: true },
      );
      const signatureVerified = verify('sha256', challenge, cert.certificate.publicKey, proof.signature);
      report.proof = { pinVerified: true, signatureVerified, apdus: proof.apdus, elapsedMs: Math.round(performance.now() - t0) };
      if (json) process.stdout.write(JSON.stringify(report) + '\n');
      else printText(report);
      return signatureVerified ? 0 : 5;
    }
    if (json) process.stdout.write(JSON.stringify(report) + '\n');
    else printText(report);
    return 0;
  } catch (e) {
    if (e instanceof CardError) return fail(e instanceof NoCardError ? 3 : 4, e);
    throw e;
  } finally {
    await driver.stop();
  }
}
