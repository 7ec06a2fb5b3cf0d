/**
 * The XML text layer of the national result documents (issue 15), on well-kept libraries:
 * `fast-xml-parser` (XMLValidator, then XMLParser in preserve-order mode; XMLBuilder for writing)
 * and `iconv-lite` for Shift_JIS (CharacterCodeIdentifier 1).
 *
 * Reading is XML 1.0 as the world writes it: BOM, encoding declaration, CRLF, comments, CDATA,
 * processing instructions, a DOCTYPE, attributes (xmlns included, all ignored: the documents
 * carry their data in elements), `<A >`, non-ASCII names, character references. Refused, with
 * an {@link XmlDocumentError} naming what and where: anything not well-formed (bare `&`,
 * undeclared entities, characters outside XML's Char production such as U+0001, mismatched or
 * missing end tags, several roots). Entities declared in a DOCTYPE are refused rather than
 * expanded: the national documents declare none, and expansion is the classic XML bomb.
 *
 * Writing escapes `&`, `<`, `>`; writes CR as `&#13;` (a raw CR would become LF in any
 * conforming reader, XML 1.0 §2.11); refuses characters XML cannot carry; in Shift_JIS writes a
 * character that encoding lacks (e.g. U+301C) as a character reference instead of iconv's `?`.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';

/** One element's content: text, a group of children, or (repeated siblings) a list of groups. */
export type XmlValue = string | XmlElement | XmlElement[];
export interface XmlElement {
  [element: string]: XmlValue | undefined;
}

export type XmlEncoding = 'utf-8' | 'shift_jis';

/** Why a document was refused. `line`/`column` are 1-based where the library reports them. */
export class XmlDocumentError extends RangeError {
  constructor(
    readonly problem: 'malformed' | 'mismatched-end-tag' | 'illegal-character' | 'unknown-entity' | 'encoding' | 'unsupported' | 'shape',
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line === undefined ? message : `${message} (line ${line}, column ${column ?? 0})`);
    this.name = 'XmlDocumentError';
  }
}

// XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function lineColumnOf(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

function assertXmlChars(text: string, what: string): void {
  const m = NOT_XML_CHAR.exec(text);
  if (!m) return;
  const cp = m[0].codePointAt(0) ?? 0;
  const { line, column } = lineColumnOf(text, m.index);
  throw new XmlDocumentError('illegal-character', `${what} holds U+${cp.toString(16).toUpperCase().padStart(4, '0')}, not an XML character`, line, column);
}

// ---------------------------------------------------------------------------------------------
// Bytes ↔ text

function normaliseEncodingName(label: string): XmlEncoding | string {
  const l = label.trim().toLowerCase();
  if (l === 'utf-8' || l === 'utf8') return 'utf-8';
  // Receipt software on Windows writes CP932 and labels it Shift_JIS; cp932 decodes both.
  if (['shift_jis', 'shift-jis', 'sjis', 'x-sjis', 'windows-31j', 'cp932', 'ms932'].includes(l)) return 'shift_jis';
  return l;
}

/** The `encoding=` of an XML declaration, read from the ASCII-compatible first bytes. */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 256)).toString('latin1');
  const decl = /^<\?xml\s[^?]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(head);
  return decl?.[1];
}

/**
 * Decodes a document file: a BOM decides (UTF-8, UTF-16); else the declaration's `encoding=`;
 * else UTF-8 (XML's default), strictly — invalid UTF-8 is refused, not turned into U+FFFD,
 * except that an undeclared document whose header says CharacterCodeIdentifier 1 is Shift_JIS.
 */
export function decodeXmlBytes(bytes: Uint8Array): { text: string; encoding: string } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const label = declaredEncoding(b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b);
  const declared = label === undefined ? undefined : normaliseEncodingName(label);
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    if (declared !== undefined && declared !== 'utf-8') {
      throw new XmlDocumentError('encoding', `UTF-8 byte-order mark but encoding="${label}" declared`);
    }
    return { text: strictUtf8(b.subarray(3)), encoding: 'utf-8' };
  }
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) {
    return { text: iconv.decode(b, b[0] === 0xff ? 'utf-16le' : 'utf-16be'), encoding: 'utf-16' };
  }
  if (declared === undefined || declared === 'utf-8') {
    try {
      return { text: strictUtf8(b), encoding: 'utf-8' };
    } catch (err) {
      if (declared === undefined && /<CharacterCodeIdentifier>\s*1\s*</.test(b.toString('latin1'))) {
        return { text: iconv.decode(b, 'cp932'), encoding: 'shift_jis' };
      }
      throw err;
    }
  }
  const codec = declared === 'shift_jis' ? 'cp932' : declared;
  if (!iconv.encodingExists(codec)) throw new XmlDocumentError('encoding', `unsupported encoding="${label ?? ''}"`);
  return { text: iconv.decode(b, codec), encoding: declared };
}

function strictUtf8(b: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    throw new XmlDocumentError('encoding', 'bytes are not valid UTF-8 and no other encoding is declared');
  }
}

/** Text → file bytes in `encoding` (the declaration written by {@link writeXmlDocument} must match). */
export function encodeXmlText(text: string, encoding: XmlEncoding): Buffer {
  return encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'cp932');
}

// ---------------------------------------------------------------------------------------------
// Reading

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Resolves the five predefined entities and character references in one pass; refuses the rest. */
function decodeReferences(raw: string): string {
  let out = '';
  let last = 0;
  for (const m of raw.matchAll(/&([^;\s<&]*);?/g)) {
    const whole = m[0];
    const name = m[1] ?? '';
    out += raw.slice(last, m.index);
    last = m.index + whole.length;
    // Messages name the problem, never the surrounding text (it may be a patient's data).
    if (!whole.endsWith(';') || name === '') throw new XmlDocumentError('malformed', "bare '&' in text");
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) {
      out += predefined;
      continue;
    }
    const num = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (!num) throw new XmlDocumentError('unknown-entity', 'reference to an undeclared entity');
    const cp = num[1] !== undefined ? parseInt(num[1], 16) : Number(num[2]);
    const ch = cp <= 0x10ffff ? String.fromCodePoint(cp) : '\u0000';
    assertXmlChars(ch, 'a character reference');
    out += ch;
  }
  return out + raw.slice(last);
}

type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  // Every value stays text: `010`, `00`, `0012` keep their zeros (the documents are all text).
  parseTagValue: false,
  ignoreAttributes: true,
  removeNSPrefix: true,
  // References are decoded here, once, after CDATA is set apart (see decodeReferences).
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
});

function nodeName(node: OrderedNode): string {
  const k = Object.keys(node).find((key) => key !== ':@');
  if (k === undefined) throw new XmlDocumentError('shape', 'empty node');
  return k;
}

/** One preserve-order element → its value (text, group), checking there is no mixed content. */
function toValue(name: string, children: OrderedNode[], repeated: ReadonlySet<string> | 'any'): XmlValue {
  let text = '';
  let hasText = false;
  const group: XmlElement = {};
  let hasChildren = false;
  for (const c of children) {
    const k = nodeName(c);
    if (k === '#text') {
      text += decodeReferences(String(c[k]));
      hasText = true;
    } else if (k === '#cdata') {
      for (const t of c[k] as OrderedNode[]) text += String(t['#text'] ?? '');
      hasText = true;
    } else {
      hasChildren = true;
      const v = toValue(k, c[k] as OrderedNode[], repeated);
      const existing = group[k];
      if (repeated === 'any' && existing !== undefined) {
        // Generic reading (no list names given): a repeated element becomes an array; a text
        // item is held as {'#text': …} so the array stays a list of groups.
        const asGroup = (x: XmlValue): XmlElement[] => (typeof x === 'string' ? [{ '#text': x }] : Array.isArray(x) ? x : [x]);
        group[k] = [...asGroup(existing), ...asGroup(v)];
      } else if (repeated !== 'any' && repeated.has(k)) {
        if (typeof v === 'string' || Array.isArray(v)) throw new XmlDocumentError('shape', `<${k}> is a list item but holds text`);
        group[k] = [...((existing as XmlElement[] | undefined) ?? []), v];
      } else if (existing === undefined) group[k] = v;
      else throw new XmlDocumentError('shape', `<${k}> appears twice in <${name}>`);
    }
  }
  if (hasChildren && hasText && text.trim() !== '') throw new XmlDocumentError('shape', `<${name}> mixes text and elements`);
  return hasChildren ? group : text;
}

/**
 * Parses a document's text: returns the root's name and content. Elements named in `repeated`
 * are always arrays (explicit, so one item and several look the same); any other element may
 * appear once per parent. Without `repeated` (a well-formedness check, generic reading) any
 * repeated element becomes an array. A leaf becomes its text, `<A/>` becomes ''.
 */
export function parseXmlDocument(input: string, repeated: ReadonlySet<string> | 'any' = 'any'): { rootName: string; root: XmlElement } {
  // XML 1.0 §2.11: CRLF and lone CR are LF before parsing (a CR meant as data is `&#13;`).
  const text = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  assertXmlChars(text, 'document');
  const verdict = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (verdict !== true) {
    const { code, msg, line, col } = verdict.err;
    const problem = code === 'InvalidTag' && /closing tag/.test(msg) ? 'mismatched-end-tag' : 'malformed';
    throw new XmlDocumentError(problem, msg, line, col);
  }
  if (/<!ENTITY/.test(text)) throw new XmlDocumentError('unsupported', 'entities declared in a DOCTYPE are not expanded');
  const nodes = parser.parse(text) as OrderedNode[];
  const elements = nodes.filter((n) => !['#text', '#cdata'].includes(nodeName(n)));
  if (nodes.some((n) => nodeName(n) === '#text' && String(n['#text']).trim() !== '')) throw new XmlDocumentError('malformed', 'text outside the root element');
  const [first, ...more] = elements;
  if (!first) throw new XmlDocumentError('malformed', 'no root element');
  if (more.length > 0) throw new XmlDocumentError('malformed', `content after the root element <${nodeName(first)}>`);
  const rootName = nodeName(first);
  const root = toValue(rootName, first[rootName] as OrderedNode[], repeated);
  if (typeof root === 'string' || Array.isArray(root)) throw new XmlDocumentError('shape', 'root element has no children');
  return { rootName, root };
}

/** {@link decodeXmlBytes} then {@link parseXmlDocument}. */
export function parseXmlBytes(bytes: Uint8Array, repeated?: ReadonlySet<string> | 'any'): { rootName: string; root: XmlElement; encoding: string } {
  const { text, encoding } = decodeXmlBytes(bytes);
  return { ...parseXmlDocument(text, repeated), encoding };
}

// ---------------------------------------------------------------------------------------------
// Writing

const sjisCache = new Map<string, boolean>();
function inShiftJis(ch: string): boolean {
  let ok = sjisCache.get(ch);
  if (ok === undefined) {
    ok = iconv.decode(iconv.encode(ch, 'cp932'), 'cp932') === ch;
    sjisCache.set(ch, ok);
  }
  return ok;
}

function escapeText(t: string, encoding: XmlEncoding): string {
  assertXmlChars(t, 'text to write');
  let out = t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
  if (encoding === 'shift_jis') out = out.replace(/[^\u0000-\u007f]/gu, (ch) => (inShiftJis(ch) ? ch : `&#x${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase()};`));
  return out;
}

const NAME = /^[\p{L}_][\p{L}\p{N}_.-]*$/u;

function escapeTree(value: XmlValue, encoding: XmlEncoding): unknown {
  if (typeof value === 'string') return escapeText(value, encoding);
  if (Array.isArray(value)) return value.map((v) => escapeTree(v, encoding));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (!NAME.test(k)) throw new RangeError(`bad element name ${JSON.stringify(k)}`);
    out[k] = escapeTree(v, encoding);
  }
  return out;
}

const builder = new XMLBuilder({
  format: true,
  indentBy: '  ',
  // Text is escaped by escapeText above (CR, control characters and Shift_JIS gaps included).
  processEntities: false,
  suppressEmptyNode: false,
  ignoreAttributes: true,
});

/**
 * `<?xml …?>` declaration and one root element; children in the object's key order, an array
 * under a name = that element repeated. The text returned is meant to be stored in `encoding`
 * ({@link encodeXmlText}); the declaration says so.
 */
export function writeXmlDocument(rootName: string, root: XmlElement, encoding: XmlEncoding = 'utf-8'): string {
  if (!NAME.test(rootName)) throw new RangeError(`bad element name ${JSON.stringify(rootName)}`);
  const decl = `<?xml version="1.0" encoding="${encoding === 'utf-8' ? 'UTF-8' : 'Shift_JIS'}" standalone="no"?>\n`;
  const body = builder.build({ [rootName]: escapeTree(root, encoding) }) as string;
  return decl + body.replace(/\n*$/, '\n');
}
