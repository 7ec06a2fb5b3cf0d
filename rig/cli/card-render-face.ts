/**
 * `fcr card render-face --persona NAME --out FILE.png [--tilt DEG --perspective F --blur S
 * --glare G --noise N --jpeg Q --upside-down]`: writes a test persona's printed card face
 * (SPEC §5.1), optionally as the rig's camera would see it. Test personas only — the data is
 * fictional, which is why writing it to a file is allowed.
 */
import { writeFileSync } from 'node:fs';
import { parseCommandLine, usageError } from '../../src/cli/args';
import { findPersona, personaNames } from '../personas/catalogue';

const usage = () =>
  `usage: fcr card render-face --persona NAME --out FILE.png [--tilt DEG] [--perspective F] [--blur S] [--glare G] [--noise N] [--jpeg Q] [--upside-down]\npersonas: ${personaNames().join(', ')}`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(
    argv,
    {
      persona: { type: 'string' },
      out: { type: 'string' },
      tilt: { type: 'string' },
      perspective: { type: 'string' },
      blur: { type: 'string' },
      glare: { type: 'string' },
      noise: { type: 'string' },
      jpeg: { type: 'string' },
      'upside-down': { type: 'boolean' },
    },
    usage(),
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (!values.persona || !values.out) return usageError('--persona and --out are required', usage());
  const persona = findPersona(values.persona);
  if (!persona) {
    process.stderr.write(`unknown persona: ${values.persona} (test personas only)\n`);
    return 2;
  }
  const num = (s: string | undefined): number | undefined => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!Number.isFinite(n)) throw new RangeError(`not a number: ${s}`);
    return n;
  };
  const { renderCardFace } = await import('../emulator/card-face/render-face');
  let png = await renderCardFace(persona);
  const degrade = {
    tiltDeg: num(values.tilt),
    perspective: num(values.perspective),
    blur: num(values.blur),
    glare: num(values.glare),
    noise: num(values.noise),
    jpegQuality: num(values.jpeg),
    upsideDown: values['upside-down'] ?? false,
  };
  if (Object.values(degrade).some((v) => v !== undefined && v !== false)) {
    const { degradeCardImage } = await import('../emulator/card-face/degrade');
    png = await degradeCardImage(png, degrade);
  }
  writeFileSync(values.out, png);
  process.stdout.write(`${values.out}\n`);
  return 0;
}
