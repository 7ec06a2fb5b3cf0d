/**
 * The smallest XML text layer the national result documents need: elements and text only (those
 * documents use no attributes, namespaces or mixed content), UTF-8, the five predefined entities.
 * Not a general XML parser: anything else (attributes, CDATA, comments, DOCTYPE) is refused with
 * a RangeError rather than guessed at.
 */
import type { XmlElement, XmlValue } from './oqs-xml-mapping';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function escapeText(t: string): string {
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeText(t: string): string {
  return t.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] ?? '');
}

function writeValue(name: string, value: XmlValue, out: string[], depth: number): void {
  if (!NAME.test(name)) throw new RangeError(`bad element name ${JSON.stringify(name)}`);
  const pad = '  '.repeat(depth);
  if (typeof value === 'string') {
    out.push(`${pad}<${name}>${escapeText(value)}</${name}>`);
    return;
  }
  out.push(`${pad}<${name}>`);
  // An array under a name is that element holding each item's children in turn (a *List).
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) for (const [k, v] of Object.entries(item)) if (v !== undefined) writeValue(k, v, out, depth + 1);
  out.push(`${pad}</${name}>`);
}

/** `<?xml …?>` declaration and one root element. */
export function writeXmlDocument(rootName: string, root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>'];
  writeValue(rootName, root, out, 0);
  return out.join('\n') + '\n';
}

/**
 * Parses what `writeXmlDocument` writes (and documents of the same plain shape): returns the
 * root's name and content. Repeated sibling names become arrays; a leaf becomes its text.
 */
export function parseXmlDocument(text: string): { rootName: string; root: XmlElement } {
  let i = 0;
  const s = text.replace(/^\uFEFF/, '');
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i] ?? '')) i++;
  };
  skipSpace();
  if (s.startsWith('<?xml', i)) {
    const end = s.indexOf('?>', i);
    if (end < 0) throw new RangeError('unterminated XML declaration');
    i = end + 2;
  }
  const parseElement = (): { name: string; value: XmlValue } => {
    skipSpace();
    if (s[i] !== '<') throw new RangeError(`expected an element at ${i}`);
    const close = s.indexOf('>', i);
    if (close < 0) throw new RangeError('unterminated tag');
    let tag = s.slice(i + 1, close);
    i = close + 1;
    if (tag.endsWith('/')) {
      tag = tag.slice(0, -1).trim();
      if (!NAME.test(tag)) throw new RangeError(`unsupported tag <${tag}>`);
      return { name: tag, value: '' };
    }
    if (!NAME.test(tag)) throw new RangeError(`unsupported tag <${tag}>`);
    const textStart = i;
    const next = s.indexOf('<', i);
    if (next < 0) throw new RangeError(`unterminated <${tag}>`);
    if (s.startsWith(`</${tag}>`, next)) {
      i = next + tag.length + 3;
      return { name: tag, value: unescapeText(s.slice(textStart, next)) };
    }
    if (s.slice(textStart, next).trim() !== '') throw new RangeError(`mixed content in <${tag}>`);
    const el: XmlElement = {};
    for (;;) {
      skipSpace();
      if (s.startsWith(`</${tag}>`, i)) {
        i += tag.length + 3;
        return { name: tag, value: el };
      }
      const c = parseElement();
      const existing = el[c.name];
      if (existing === undefined) el[c.name] = c.value;
      else if (Array.isArray(existing)) existing.push(c.value as XmlElement);
      else el[c.name] = [existing as XmlElement, c.value as XmlElement];
    }
  };
  const { name, value } = parseElement();
  skipSpace();
  if (i !== s.length) throw new RangeError('content after the root element');
  if (typeof value === 'string' || Array.isArray(value)) throw new RangeError('root element has no children');
  return { rootName: name, root: value };
}
