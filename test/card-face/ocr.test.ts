import assert from 'node:assert/strict';
import { CardFaceReader, PRESENT_CONFIDENCE, agreement, enginesAgree, enginesMajority, enginesOverDroppedOne, enginesOverLstm, agreementOfReads } from '../../src/card-face/ocr';
import { looksLike, parseDateDigits, parseField, unreadField } from '../../src/card-face/printed-fields';
import { renderCardFace } from '../../rig/emulator/card-face/render-face';
import { degradeCardImage, type Degradation } from '../../rig/emulator/card-face/degrade';
import type { Persona } from '../../rig/personas/catalogue';
import { codeB, formatEraBirthDate, fromEraDate, toEraDate } from '../../src/card-face/japanese-era';
import { emptyTrayImage, impossibleBirthDateImage, persona } from './reader-fixtures';
import { cardCodeB } from '../../rig/emulator/card-face/printed-dates';


describe('Japanese era dates and 照合番号B', () => {
  it('converts at era boundaries and prints as the card does', () => {
    assert.deepEqual(toEraDate('1989-01-07'), { era: '昭和', year: 64, month: 1, day: 7 });
    assert.deepEqual(toEraDate('1989-01-08'), { era: '平成', year: 1, month: 1, day: 8 });
    assert.deepEqual(toEraDate('2019-05-01'), { era: '令和', year: 1, month: 5, day: 1 });
    assert.equal(formatEraBirthDate('1958-04-01'), '昭和33年 4月 1日生');
    assert.equal(codeB('2020-02-24', '2030-02-24', '1234'), '02022420301234');
  });
  it('refuses dates that do not exist in the era', () => {
    assert.equal(fromEraDate({ era: '昭和', year: 64, month: 1, day: 8 }), undefined);
    assert.equal(fromEraDate({ era: '平成', year: 31, month: 5, day: 1 }), undefined);
    assert.equal(fromEraDate({ era: '令和', year: 2, month: 2, day: 30 }), undefined);
    assert.equal(fromEraDate({ era: '令和', year: 2, month: 2, day: 29 }), '2020-02-29');
  });
});

describe('agreement of reads', () => {
  it('needs three reads of one value and one more for each read of another', () => {
    assert.equal(agreement(new Map([['a', 2]])), undefined);
    assert.equal(agreement(new Map([['a', 3]])), 'a');
    assert.equal(agreement(new Map([['a', 3], ['b', 1]])), undefined);
    assert.equal(agreement(new Map([['a', 4], ['b', 1]])), 'a');
    assert.equal(agreement(new Map([['a', 5], ['b', 2]])), undefined);
  });
  const votes = (paddle: string[], tesseract: string[]) => [...paddle.map((key) => ({ engine: 'paddle' as const, key })), ...tesseract.map((key) => ({ engine: 'tesseract' as const, key }))];
  it('takes a value both engines read when nothing else was read', () => {
    assert.equal(enginesAgree(votes(['a'], ['a'])), 'a');
    assert.equal(enginesAgree(votes(['a', 'a'], [])), undefined, 'one engine alone');
    assert.equal(enginesAgree(votes([], ['a', 'a', 'a'])), undefined, 'one engine alone');
    assert.equal(enginesAgree(votes(['a'], ['a', 'b'])), undefined, 'another value read');
  });
  it("after all reads, takes PaddleOCR's unanimous value only when it is tesseract's clear majority", () => {
    assert.equal(enginesMajority(votes(['a', 'a'], ['b', 'a', 'a', 'c'])), 'a');
    assert.equal(enginesMajority(votes(['a', 'a'], ['b', 'a', 'b', 'a'])), undefined, 'a tie in tesseract');
    assert.equal(enginesMajority(votes(['a', 'a'], ['a'])), undefined, 'tesseract read it once');
    assert.equal(enginesMajority(votes(['a', 'a'], ['a', 'b', 'c'])), undefined, 'tesseract read it once');
    assert.equal(enginesMajority(votes(['a'], ['a', 'a', 'b'])), undefined, 'PaddleOCR read it once');
    assert.equal(enginesMajority(votes(['a', 'b'], ['a', 'a', 'a'])), undefined, 'PaddleOCR not unanimous');
  });
  it("after all reads, discounts tesseract's reads that only dropped one of two 1s, never any other disagreement", () => {
    const eleven = '1978-11-30';
    assert.equal(enginesOverDroppedOne(votes([eleven, eleven], ['1978-1-30', eleven, '1978-1-30', '1978-1-30', eleven])), eleven);
    assert.equal(enginesOverDroppedOne(votes(['era11-2-1', 'era11-2-1'], ['era1-2-1', 'era11-2-1', 'era11-2-1'])), 'era11-2-1');
    assert.equal(enginesOverDroppedOne(votes(['2035-3-11', '2035-3-11'], ['2035-3-1', '2035-3-11', '2035-3-11'])), '2035-3-11');
    assert.equal(enginesOverDroppedOne(votes([eleven, eleven], ['1978-1-30', eleven])), undefined, 'tesseract read it once');
    assert.equal(enginesOverDroppedOne(votes([eleven, eleven], ['1978-1-30', eleven, eleven, '1978-11-20'])), undefined, 'another digit read');
    assert.equal(enginesOverDroppedOne(votes(['1978-11-13', '1978-11-13'], ['1978-11-3', '1978-11-13', '1978-11-13'])), undefined, 'a 1 dropped that had no twin');
    assert.equal(enginesOverDroppedOne(votes(['1978-1-30', '1978-1-30'], [eleven, eleven, '1978-1-30', '1978-1-30'])), undefined, 'a 1 added is a disagreement');
    assert.equal(enginesOverDroppedOne(votes([eleven, '1978-1-30'], [eleven, eleven, eleven])), undefined, 'PaddleOCR not unanimous');
    assert.equal(enginesOverDroppedOne(votes([eleven], [eleven, eleven, '1978-1-30'])), undefined, 'PaddleOCR read it once');
  });
  it('takes PaddleOCR and the third engine together over the best LSTM, never either of them alone', () => {
    const three = (paddle: string[], lstm: string[], third: string[], engine: 'fast' | 'legacy' = 'fast') => [...votes(paddle, lstm), ...third.map((key) => ({ engine, key }))];
    const thirty = '2030-5-30';
    assert.equal(enginesOverLstm(three([thirty, thirty], ['2036-5-36'], [thirty, thirty])), thirty, 'the LSTM read 0 as 6');
    assert.equal(enginesOverLstm(three(['7130', '7130'], ['7136', '7136', '7136'], ['7130', '7130'], 'legacy')), '7130', 'the code by the legacy digits');
    assert.equal(enginesOverLstm(three(['era11-2-1', 'era11-2-1'], [], ['era1-2-1', 'era11-2-1', 'era11-2-1'])), 'era11-2-1', 'one of two 1s dropped');
    assert.equal(enginesOverLstm(three([thirty, thirty], [], [thirty])), undefined, 'the third engine read it once');
    assert.equal(enginesOverLstm(three([thirty], [], [thirty, thirty, thirty])), undefined, 'PaddleOCR read it once');
    assert.equal(enginesOverLstm(three([thirty, '2036-5-30'], [], [thirty, thirty])), undefined, 'PaddleOCR not unanimous');
    assert.equal(enginesOverLstm(three([thirty, thirty], [], [thirty, thirty, '2039-5-30'])), undefined, 'the third engine read another value');
    assert.equal(enginesOverLstm(three([thirty, thirty], [thirty, thirty, thirty], [])), undefined, 'the best LSTM is not the third engine');
    assert.equal(enginesOverLstm(three(['1978-1-30', '1978-1-30'], [], ['1978-11-30', '1978-1-30', '1978-1-30'])), undefined, 'a 1 added is a disagreement');
  });
  it('takes the reads\' agreement against PaddleOCR only when PaddleOCR read nothing', () => {
    assert.equal(agreementOfReads(votes([], ['a', 'a', 'a'])), 'a', 'PaddleOCR missed the line');
    assert.equal(agreementOfReads(votes(['a'], ['a', 'a', 'b'])), undefined, 'one more read needed for the b');
    assert.equal(agreementOfReads(votes(['a'], ['a', 'a', 'a', 'b'])), 'a');
    assert.equal(agreementOfReads(votes(['b'], ['a', 'a', 'a', 'a'])), undefined, 'tesseract alone against PaddleOCR');
  });
});

describe('what a read line says', () => {
  it("reads PaddleOCR's expiry (no kana in its dictionary: まで as 飞 or dropped) as the expiry, never as a birth date", () => {
    for (const text of ['2029年7月2日飞有效', '2027年8月31日有效', '2034年11月4日飞有', '2032年4月1日まで有効']) {
      assert.equal(parseField('expiry', text)?.kind, 'expiry', text);
      assert.equal(parseField('birth', text), undefined, text);
    }
    assert.equal(parseField('birth', '1998年10月21日生')?.key, '1998-10-21');
    assert.equal(parseField('birth', '昭和64年1月7日生')?.key, 'era64-1-7');
    assert.equal(parseField('expiry', '1998年10月21日生'), undefined);
  });
  it('finds a date line whose page read lost a digit, only as the field it looks like', () => {
    assert.equal(looksLike('expiry', '229年2月9日飞有效'), true);
    assert.equal(looksLike('birth', '229年2月9日飞有效'), false);
    assert.equal(looksLike('birth', '229年2月9日生まで有効'), false, 'an expiry is never a birth line');
    assert.equal(looksLike('birth', '昭和年1月2日生'), true);
    assert.equal(looksLike('expiry', '昭和年1月2日生'), false);
    assert.equal(looksLike('birth', '個人番号カード'), false);
    assert.equal(parseDateDigits(unreadField('birth'), '1953生9月11日生'), undefined, 'a line not read gives its widened crops no calendar');
  });
  it("votes on the expiry's year (the part in 照合番号B), and on the birth date whole", () => {
    assert.equal(parseField('expiry', '2028年2月10日末飞有劾')?.key, parseField('expiry', '2028年2月16日まで有効')?.key, 'another day');
    assert.equal(parseField('expiry', '2028年12月1日まで有効')?.key, parseField('expiry', '2028年2月1日まで有効')?.key, 'another month');
    assert.notEqual(parseField('expiry', '2028年2月10日まで有効')?.key, parseField('expiry', '2029年2月10日まで有効')?.key, 'another year');
    assert.notEqual(parseField('birth', '1963年4月30日生')?.key, parseField('birth', '1963年4月36日生')?.key, 'the birth date is in 照合番号B whole');
  });
  it('reads the digits of a widened date crop in the calendar of the page read, and nothing else', () => {
    const era = parseField('birth', '昭和11年4月5日生');
    const western = parseField('birth', '1953年9月11日生');
    const expiry = parseField('expiry', '2035年3月11日飞有效');
    if (!era || !western || !expiry) throw new Error('page reads');
    assert.equal(parseDateDigits(era, '昭和11和年4月5日生')?.key, 'era11-4-5');
    assert.deepEqual(parseDateDigits(era, '大11生2月1和')?.value, { printed: { calendar: 'era', year: 11, month: 2, day: 1 }, eras: ['昭和'] });
    assert.equal(parseDateDigits(western, '1953生9月11日生')?.key, '1953-9-11');
    assert.equal(parseDateDigits(expiry, '2035生3月11日まで有')?.key, '2035');
    assert.equal(parseDateDigits(era, '昭和11生月5和'), undefined, 'two groups');
    assert.equal(parseDateDigits(era, '8和11年4月5日'), undefined, 'four groups');
    assert.equal(parseDateDigits(era, '1953生9月11日生'), undefined, 'a Western year on an era line');
    assert.equal(parseDateDigits(western, '53生9月11日生'), undefined, 'an era year on a Western line');
    assert.equal(parseDateDigits(western, '1953生9月111日生'), undefined, 'a three-digit day');
    assert.equal(parseDateDigits(expiry, '2939年11月30日まで'), undefined, 'not a card-life year');
    assert.equal(parseDateDigits(parseField('code', '1234') as NonNullable<ReturnType<typeof parseField>>, '1234'), undefined, 'not for the code');
  });
});

describe('card-face OCR on rendered faces', function () {
  this.timeout(180_000);
  const reader = new CardFaceReader({ now: () => new Date('2026-11-23T00:00:00Z') });
  before(() => reader.start());
  after(() => reader.stop());

  // What the card was made with (the rig's own reading of the printed dates), not the reader's rule.
  const expected = (p: Persona): string => cardCodeB(p);
  const read = (s: { birth?: string; expiryYear?: string; securityCode?: string }): string => `${s.birth ?? ''}${s.expiryYear ?? ''}${s.securityCode ?? ''}`;

  const cases: Array<[string, string, Degradation]> = [
    ['valid', 'clean, flat', {}],
    ['expiring-soon', 'tilted with perspective', { tiltDeg: 7, perspective: 0.06 }],
    ['unregistered', 'glare (平成22年)', { tiltDeg: 2, glare: 0.3, seed: 9 }],
  ];
  for (const [name, what, degradation] of cases) {
    it(`reads 照合番号B of ${name}: ${what}`, async () => {
      const p = persona(name);
      const image = await degradeCardImage(await renderCardFace(p), degradation);
      const scan = await reader.scan(image);
      assert.equal(scan.ok, true, `scan refused: ${scan.reason}`);
      assert.equal(read(scan), expected(p));
      assert.equal(scan.era, toEraDate(p.person.birthDate).era);
      assert.ok(scan.confidence >= PRESENT_CONFIDENCE);
    });
  }

  it('a blurred, noisy JPEG whose 0, 6 and 9 blur together (昭和2年 6月10日) is refused, never read wrong', async () => {
    const p = persona('code-b-low');
    const scan = await reader.scan(await degradeCardImage(await renderCardFace(p), { tiltDeg: -4, blur: 1.0, noise: 6, jpegQuality: 60, seed: 5 }));
    if (scan.ok) assert.equal(read(scan), expected(p));
    else assert.ok(scan.reason === 'inconsistent' || scan.reason === 'unreadable', scan.reason);
  });

  it('a card placed upside down is read turned round', async () => {
    const p = persona('valid');
    const image = await degradeCardImage(await renderCardFace(p), { upsideDown: true, tiltDeg: 3 });
    const scan = await reader.scan(image);
    assert.equal(scan.ok, true, `scan refused: ${scan.reason}`);
    assert.equal(read(scan), expected(p));
  });

  it('an image with no card is refused as no-card', async () => {
    const scan = await reader.scan(await emptyTrayImage());
    assert.equal(scan.ok, false);
    assert.equal(scan.reason, 'no-card');
  });

  it('a printed date that cannot exist (昭和64年 2月 1日: 平成 began on 64-01-08) is never presented', async () => {
    const scan = await reader.scan(await impossibleBirthDateImage(persona('valid')));
    assert.equal(scan.ok, false);
    assert.equal(scan.reason, 'implausible-date');
    assert.equal(scan.era, '昭和');
  });

  it('an expiry year outside a card life is implausible and not presented', async () => {
    const p = { ...persona('valid'), cardExpiry: '2052-04-01' };
    const scan = await reader.scan(await degradeCardImage(await renderCardFace(p), {}));
    assert.equal(scan.ok, false);
    assert.equal(scan.reason, 'implausible-date');
  });
});

describe('the third engine', () => {
  it("names Debian's tesseract-ocr-jpn when its data is not installed", async () => {
    const { ConfirmingTesseract, OcrDataMissingError } = await import('../../src/card-face/ocr-engine');
    const engine = new ConfirmingTesseract('/nonexistent/tessdata');
    await assert.rejects(engine.start(), (err: unknown) => err instanceof OcrDataMissingError && err.debianPackage === 'tesseract-ocr-jpn' && err.file === '/nonexistent/tessdata/jpn.traineddata');
    await engine.stop();
  });
});
