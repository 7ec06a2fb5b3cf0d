/**
 * The privacy oracle of the tests (issue 11 item 9): the personal values of the personas, derived
 * here from the persona catalogue and the rig's test credentials (test data), and a checker that
 * lists every one of them found in raw log records (captured BEFORE redaction, see
 * `LoggerOptions.unredactedSink`). It uses none of the product's encoders: 照合番号B is rebuilt
 * from its public description (birth date as 和暦 YYMMDD, the card's expiry year, the 4-digit
 * security code), the era from the published era start dates.
 */
import { personas, type Persona } from '../../rig/personas/catalogue';
import type { RigCredentials } from '../../rig/personas/credentials';

export interface PersonalValue {
  persona: string;
  what: 'pin' | 'name' | 'birth-date' | 'certificate-serial' | 'code-b' | 'passcode';
  /** Matched as a substring; digit-only values only where no other digit touches them. */
  value: string;
}

/** 和暦 YYMMDD of a Gregorian ISO date (明治 and 大正 are not needed by the personas). */
function eraYYMMDD(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const key = y * 10_000 + m * 100 + d;
  const eraYear = key >= 2019_05_01 ? y - 2018 : key >= 1989_01_08 ? y - 1988 : y - 1925;
  return `${String(eraYear).padStart(2, '0')}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
}

export function personalValues(o: { credentials?: RigCredentials; pins?: string[]; passcodes?: string[]; personas?: readonly Persona[] } = {}): PersonalValue[] {
  const out: PersonalValue[] = [];
  for (const p of o.personas ?? personas) {
    const add = (what: PersonalValue['what'], value: string) => out.push({ persona: p.name, what, value });
    const name = p.person.nameKanji;
    add('name', name);
    add('name', name.replace(/[\s　]/g, ''));
    add('name', p.person.nameKana);
    const family = name.split(/[\s　]/)[0];
    if (family && family.length >= 2) add('name', family);
    const birth = p.person.birthDate;
    add('birth-date', birth);
    add('birth-date', birth.replace(/-/g, ''));
    add('birth-date', birth.replace(/-/g, '/'));
    add('birth-date', eraYYMMDD(birth));
    const expiryYear = p.cardExpiry.slice(0, 4);
    add('code-b', `${eraYYMMDD(birth)}${expiryYear}${p.securityCode}`);
    // A Western-printed face (foreign resident, next-generation card) gives YY from the Western year.
    if (p.cardDesign === 'current-foreign' || p.cardDesign === 'next') {
      const western = birth.slice(2).replace(/-/g, '');
      add('birth-date', western);
      add('code-b', `${western}${expiryYear}${p.securityCode}`);
    }
    add('code-b', `${expiryYear}${p.securityCode}`);
    if (o.credentials) {
      try {
        add('certificate-serial', o.credentials.persona(p.name).userAuthSerial.toLowerCase());
      } catch {
        // A persona without rig credentials has no serial to leak.
      }
    }
  }
  for (const pin of o.pins ?? []) out.push({ persona: '*', what: 'pin', value: pin });
  for (const code of o.passcodes ?? []) out.push({ persona: '*', what: 'passcode', value: code });
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every personal value found in the lines, as `what (persona): line`. Empty = clean. */
export function personalDataIn(lines: readonly string[], values: readonly PersonalValue[]): string[] {
  const hits: string[] = [];
  for (const v of values) {
    // A digit value must stand alone (a port number 51234 does not leak the PIN 1234); hex serials
    // and names are plain case-insensitive substrings.
    const re = /^\d+$/.test(v.value) ? new RegExp(`(?<!\\d)${escape(v.value)}(?!\\d)`) : new RegExp(escape(v.value), 'i');
    for (const line of lines) if (re.test(line)) hits.push(`${v.what} (${v.persona}): ${line}`);
  }
  return hits;
}
