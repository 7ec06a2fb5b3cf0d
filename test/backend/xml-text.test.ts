/**
 * The XML text layer (issue 15): every bad-XML case the issue lists, legal XML the old hand-made
 * parser refused, the writer's escaping checked by an independent strict parser (saxes), and
 * Shift_JIS bytes made with iconv-lite directly (not through the product's encoder).
 */
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { decodeXmlBytes, parseXmlBytes, parseXmlDocument, writeXmlDocument, XmlDocumentError, encodeXmlText } from '../../src/backend/xml-text';
import { oracleParse, find } from './xml-oracle';

const refused = (text: string, problem: XmlDocumentError['problem']) =>
  assert.throws(
    () => parseXmlDocument(text),
    (e: unknown) => e instanceof XmlDocumentError && e.problem === problem,
    `expected ${problem} for ${JSON.stringify(text)}`,
  );

describe('XML text layer: reading', () => {
  it('decodes character references, hexadecimal and decimal, next to the predefined entities', () => {
    const { root } = parseXmlDocument('<R><A>&#x9AD9;&#26408; &amp;&lt;&gt;&quot;&apos; &amp;#13;</A></R>');
    assert.equal(root.A, '髙木 &<>"\' &#13;');
  });

  it('refuses a bare &, an undeclared entity and U+0001 (raw or as a reference)', () => {
    refused('<R><A>a & b</A></R>', 'malformed');
    refused('<R><A>&foo;</A></R>', 'unknown-entity');
    refused('<R><A>x\u0001y</A></R>', 'illegal-character');
    refused('<R><A>&#1;</A></R>', 'illegal-character');
    refused('<R><A>&#xD800;</A></R>', 'illegal-character');
  });

  it('accepts comments, CDATA, processing instructions, a DOCTYPE, attributes, xmlns, <A >, non-ASCII names', () => {
    const text = [
      '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
      '<!DOCTYPE XmlMsg>',
      '<!-- written by another vendor -->',
      '<?vendor-hint keep?>',
      '<XmlMsg xmlns="urn:example" version="1">',
      '  <A >1</A >',
      "  <B kind='x'><![CDATA[<not & markup>]]></B>",
      '  <名前>山田</名前>',
      '  <!-- inside -->',
      '</XmlMsg>',
    ].join('\r\n');
    const { rootName, root } = parseXmlDocument(text);
    assert.equal(rootName, 'XmlMsg');
    assert.deepEqual(root, { A: '1', B: '<not & markup>', 名前: '山田' });
  });

  it('reports a mismatched end tag as such, with its place', () => {
    assert.throws(
      () => parseXmlDocument('<R>\n  <A>1</B>\n</R>'),
      (e: unknown) => e instanceof XmlDocumentError && e.problem === 'mismatched-end-tag' && e.line === 2 && /closing tag/.test(e.message),
    );
  });

  it('refuses unclosed elements, several roots, text outside the root, mixed content, DOCTYPE entities', () => {
    refused('<R><A>x</A>', 'malformed');
    refused('<R/><S/>', 'malformed');
    refused('<R><A>1</A></R>trailing', 'malformed');
    refused('<R>text<A>1</A></R>', 'shape');
    refused('<!DOCTYPE R [<!ENTITY e "boom">]><R><A>&e;</A></R>', 'unsupported');
  });

  it('normalises CRLF and CR to LF; a CR written as &#13; survives', () => {
    const { root } = parseXmlDocument('<R>\r\n<A>a\r\nb\rc&#13;d</A>\r\n</R>');
    assert.equal(root.A, 'a\nb\nc\rd');
  });

  it('makes the named list elements arrays, one item or several', () => {
    const one = parseXmlDocument('<R><L><I><N>1</N></I></L></R>', new Set(['I']));
    assert.deepEqual(one.root.L, { I: [{ N: '1' }] });
    const two = parseXmlDocument('<R><L><I><N>1</N></I><I><N>2</N></I></L></R>', new Set(['I']));
    assert.deepEqual(two.root.L, { I: [{ N: '1' }, { N: '2' }] });
    assert.throws(() => parseXmlDocument('<R><A>1</A><A>2</A></R>', new Set(['I'])), (e: unknown) => e instanceof XmlDocumentError && e.problem === 'shape');
    assert.deepEqual(parseXmlDocument('<R><A><N>1</N></A><A><N>2</N></A></R>').root.A, [{ N: '1' }, { N: '2' }]);
  });

  it('keeps every value as text: leading zeros and empty elements', () => {
    const { root } = parseXmlDocument('<R><Ratio>010</Ratio><Branch>00</Branch><E/><F></F></R>');
    assert.deepEqual(root, { Ratio: '010', Branch: '00', E: '', F: '' });
  });
});

describe('XML text layer: bytes and encodings', () => {
  const sjisDoc = '<?xml version="1.0" encoding="Shift_JIS"?>\r\n<XmlMsg><Name>山田　太郎</Name><NameKana>ﾔﾏﾀﾞ ﾀﾛｳ</NameKana></XmlMsg>\r\n';

  it('decodes a Shift_JIS file by its declaration (bytes made with iconv-lite, not our encoder)', () => {
    const bytes = iconv.encode(sjisDoc, 'Shift_JIS');
    const { root, encoding } = parseXmlBytes(bytes);
    assert.equal(encoding, 'shift_jis');
    assert.deepEqual(root, { Name: '山田　太郎', NameKana: 'ﾔﾏﾀﾞ ﾀﾛｳ' });
  });

  it('refuses undeclared Shift_JIS instead of reading mojibake, unless the header says CharacterCodeIdentifier 1', () => {
    const undeclared = iconv.encode('<XmlMsg><Name>山田</Name></XmlMsg>', 'Shift_JIS');
    assert.throws(() => decodeXmlBytes(undeclared), (e: unknown) => e instanceof XmlDocumentError && e.problem === 'encoding');
    const withCci = iconv.encode('<XmlMsg><MessageHeader><CharacterCodeIdentifier>1</CharacterCodeIdentifier></MessageHeader><Name>山田</Name></XmlMsg>', 'Shift_JIS');
    assert.equal(parseXmlBytes(withCci).root.Name, '山田');
  });

  it('accepts a UTF-8 BOM, and refuses a BOM that contradicts the declaration', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<?xml version="1.0" encoding="UTF-8"?><R><A>髙</A></R>')]);
    assert.equal(parseXmlBytes(bom).root.A, '髙');
    assert.equal(parseXmlDocument('\uFEFF<R><A>x</A></R>').root.A, 'x');
    const liar = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<?xml version="1.0" encoding="Shift_JIS"?><R/>')]);
    assert.throws(() => decodeXmlBytes(liar), (e: unknown) => e instanceof XmlDocumentError && e.problem === 'encoding');
  });
});

describe('XML text layer: writing', () => {
  it('escapes markup, writes CR as &#13;, and a strict independent parser reads back the same text', () => {
    const value = 'a & b < c > d "e" \'f\'\r\nnext\ttab';
    const text = writeXmlDocument('R', { A: value, E: '' });
    assert.match(text, /^<\?xml version="1.0" encoding="UTF-8" standalone="no"\?>\n<R>/);
    assert.doesNotMatch(text, /\r/);
    assert.match(text, /&#13;/);
    const tree = oracleParse(text);
    assert.equal(find(tree, 'A')?.text, value);
    assert.equal(find(tree, 'E')?.text, '');
  });

  it('never emits a control character XML cannot carry', () => {
    for (const bad of ['\u0001', '\u0008', '\u000b', '\u001f', '\uFFFE', '\uD800']) {
      assert.throws(() => writeXmlDocument('R', { A: `x${bad}y` }), XmlDocumentError, JSON.stringify(bad));
    }
  });

  it('writes repeated list items in order and keeps key order', () => {
    const text = writeXmlDocument('R', { Z: '1', L: { I: [{ N: '1' }, { N: '2' }] }, A: '2' });
    const tree = oracleParse(text);
    assert.deepEqual(tree.children.map((c) => c.name), ['Z', 'L', 'A']);
    assert.deepEqual(find(tree, 'L')?.children.map((c) => c.children[0]?.text), ['1', '2']);
  });

  it('in Shift_JIS, writes what the encoding lacks as a character reference instead of "?"', () => {
    const text = writeXmlDocument('R', { A: '〜髙ﾔﾏﾀﾞ' }, 'shift_jis');
    assert.match(text, /encoding="Shift_JIS"/);
    const bytes = encodeXmlText(text, 'shift_jis');
    const decoded = iconv.decode(bytes, 'Shift_JIS');
    assert.match(decoded, /<A>&#x301C;髙ﾔﾏﾀﾞ<\/A>/, 'no "?" substitution');
    assert.equal(find(oracleParse(decoded), 'A')?.text, '〜髙ﾔﾏﾀﾞ');
  });
});
