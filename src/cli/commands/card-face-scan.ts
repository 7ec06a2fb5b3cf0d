/**
 * `fcr card face-scan [--image] FILE [--json]`: recognises 照合番号B on a card-face image given by
 * the operator (a technician's tool; it touches no card). Prints
 * `{"ok":true,"birth":"YYMMDD","expiryYear":"YYYY","securityCode":"NNNN","confidence":…}` or
 * `{"ok":false,"reason":…}`; `ok` is true only when the reader would present that code to a card.
 * The digits go to the operator's terminal only — never to a log or a file.
 */
import { readFileSync } from 'node:fs';
import { parseCommandLine, usageError } from '../args';

const usage = 'usage: fcr card face-scan [--image] FILE [--json]';

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, { image: { type: 'string' }, json: { type: 'boolean' } }, usage, { max: 1 });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const [positional] = parsed.positionals;
  if ((values.image === undefined) === (positional === undefined)) return usageError('one image: FILE or --image FILE', usage);
  const file = values.image ?? positional!;
  let image: Buffer;
  try {
    image = readFileSync(file);
  } catch (err) {
    process.stderr.write(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
    return 2;
  }
  const { CardFaceReader } = await import('../../card-face/ocr');
  const reader = new CardFaceReader();
  try {
    const scan = await reader.scan(image);
    const out = scan.ok
      ? { ok: true, birth: scan.birth, expiryYear: scan.expiryYear, securityCode: scan.securityCode, confidence: scan.confidence, calendar: scan.calendar, era: scan.era, ms: scan.ms }
      : { ok: false, reason: scan.reason, confidence: scan.confidence, ms: scan.ms };
    if (values.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else if (scan.ok) process.stdout.write(`照合番号B readable: birth ${scan.birth} (${scan.era ?? scan.calendar ?? '?'}), expiry year ${scan.expiryYear}, security code ${scan.securityCode}, confidence ${scan.confidence.toFixed(2)} (${scan.ms} ms)\n`);
    else process.stdout.write(`not presentable: ${scan.reason} (confidence ${scan.confidence.toFixed(2)}, ${scan.ms} ms)\n`);
    return scan.ok ? 0 : 1;
  } finally {
    image.fill(0);
    await reader.stop();
  }
}
