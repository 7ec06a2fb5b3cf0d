/**
 * `fcr card face-scan [--image] FILE [--json]`: recognises 照合番号B on a card-face image given by
 * the operator (a technician's tool; it touches no card). Prints
 * `{"ok":true,"birth":"YYMMDD","expiryYear":"YYYY","securityCode":"NNNN","confidence":…}` or
 * `{"ok":false,"reason":…}`; `ok` is true only when the reader would present that code to a card.
 * The digits go to the operator's terminal only — never to a log or a file.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export async function run(argv: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { image: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const file = values.image ?? positionals[0];
  if (values.help || !file || positionals.length > (values.image ? 0 : 1)) {
    process.stderr.write('usage: fcr card face-scan [--image] FILE [--json]\n');
    return values.help ? 0 : 2;
  }
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
