import assert from 'node:assert/strict';
import { displayWidth, wrapToWidth } from '../../../src/ui/panel/display-width';
import { hitTest, layoutPanel, panelText, secretDots } from '../../../src/ui/panel/panel-layout';
import type { PanelView } from '../../../src/ui/panel-view';

const countdown = (s: number) => `残り${s}秒`;

const method: PanelView = {
  screenId: 'method',
  facilityName: '○○○○病院',
  lines: ['本人確認の方法を選んでください。', '本人確認の情報は、他の目的には使用しません。'],
  buttons: [
    { id: 'method.face', label: '顔認証を行う' },
    { id: 'method.pin', label: '暗証番号を入力' },
    { id: 'method.quit', label: '終了する', kind: 'secondary' },
  ],
  countdownSeconds: 30,
};

describe('panel layout', () => {
  it('counts full-width Japanese as two cells', () => {
    assert.equal(displayWidth('顔認証'), 6);
    assert.equal(displayWidth('PIN'), 3);
    assert.deepEqual(wrapToWidth('あいうえお', 4), ['あい', 'うえ', 'お']);
  });

  it('shows PINs as dots only', () => {
    assert.equal(secretDots(2, 4), '● ● ○ ○');
  });

  it('puts the countdown on the title line and hit-tests every button at its own cells', () => {
    const layout = layoutPanel(method, 80, 24, countdown);
    assert.match(layout.titleLine, /残り30秒$/);
    assert.equal(layout.buttons.length, 3);
    for (const b of layout.buttons) {
      const r = b.rect;
      assert.deepEqual(hitTest(layout, r.left, r.top), b.target);
      assert.deepEqual(hitTest(layout, r.left + r.width - 1, r.top + r.height - 1), b.target);
      assert.ok(r.left + r.width <= 80, 'button inside the panel');
    }
    assert.equal(hitTest(layout, 0, 0), undefined, 'the header is not a button');
  });

  it('wraps buttons to a new row on a narrow panel without overlap', () => {
    const layout = layoutPanel(method, 30, 24, countdown);
    const rects = layout.buttons.map((b) => b.rect);
    for (let i = 0; i < rects.length; i++)
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i]!;
        const b = rects[j]!;
        const overlap = a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
        assert.equal(overlap, false);
      }
  });

  it('draws the secret entry as dots and the keypad keys the engine gives as buttons', () => {
    const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'].map((d) => ({ id: `key.${d}`, label: d, kind: 'key' as const }));
    const layout = layoutPanel(
      { screenId: 'pin', facilityName: 'X', lines: ['暗証番号を入力してください。'], buttons: [...keys, { id: 'pin.cancel', label: 'キャンセル' }], secretEntry: { typed: 1, length: 4 } },
      80,
      24,
      countdown,
    );
    assert.equal(layout.secretLine, '● ○ ○ ○');
    assert.equal(layout.buttons.length, 11);
    const five = layout.buttons.find((b) => b.label === '5')!;
    assert.deepEqual(hitTest(layout, five.rect.left + 1, five.rect.top + 1), { kind: 'button', id: 'key.5' });
    assert.ok(layout.buttons.every((b) => !layout.secretLine || b.rect.top > layout.bodyTop + layout.body.length), 'keys below the dots');
    // A phone pad: 1 2 3 / 4 5 6 / 7 8 9 / 0, then キャンセル below the pad.
    const at = (label: string) => layout.buttons.find((b) => b.label === label)!.rect;
    assert.equal(at('1').top, at('3').top);
    assert.equal(at('4').top, at('1').top + at('1').height);
    assert.equal(at('7').left, at('1').left);
    assert.equal(at('0').left, at('1').left);
    // On an 80-column panel キャンセル sits beside the pad, so the whole PIN screen fits 24 rows.
    assert.ok(at('キャンセル').left >= at('3').left + at('3').width);
    assert.ok(Math.max(...layout.buttons.map((b) => b.rect.top + b.rect.height)) <= 23);
    // On a narrow panel it goes below the pad.
    const narrow = layoutPanel({ screenId: 'pin', facilityName: 'X', lines: ['x'], buttons: [...keys, { id: 'pin.cancel', label: 'キャンセル' }], secretEntry: { typed: 0, length: 4 } }, 40, 40, countdown);
    const n = (label: string) => narrow.buttons.find((b) => b.label === label)!.rect;
    assert.ok(n('キャンセル').top >= n('0').top + n('0').height);
  });

  it('renders plain text with facility name first and buttons in brackets', () => {
    const text = panelText(method, countdown);
    assert.equal(text.split('\n')[0], '○○○○病院');
    assert.equal(text.split('\n')[1], '残り30秒');
    assert.match(text, /\[顔認証を行う\] \[暗証番号を入力\] \[終了する\]/);
  });
});
