/**
 * Screens as data: `renderScreen(request, config)` turns the engine's choice of screen into the
 * `PanelView` the panel draws, with every word taken from the catalogue (`./ja`). Button ids are
 * stable English ids (`BUTTON`); labels come from the catalogue.
 */
import type { FacilityConfig } from '../../config/schema';
import type { FailureCause } from '../../session/effects';
import type { ConsentAnswers, ConsentCategory, FaceHint, QualificationStatus, ReaderSlot, ReferralLetter } from '../../session/events';
import type { PanelButton, PanelView } from '../panel-view';
import { enStaff, ja } from './ja';

export const BUTTON = {
  phoneStart: 'phone.start',
  staffStart: 'staff.start',
  registrationApply: 'registration.apply',
  registrationDecline: 'registration.decline',
  methodFace: 'method.face',
  methodPin: 'method.pin',
  methodQuit: 'method.quit',
  faceCancel: 'face.cancel',
  pinCancel: 'pin.cancel',
  keyBack: 'key.back',
  staffAbort: 'staff.abort',
  staffVisual: 'staff.visual',
  staffConsentFirst: 'staff.consent-first',
  phoneAndroid: 'phone.android',
  phoneIphone: 'phone.iphone',
  phoneCancel: 'phone.cancel',
  noticeNext: 'notice.next',
  consentInherit: 'consent.inherit',
  consentReselect: 'consent.reselect',
  consentBack: 'consent.back',
  consentViewPrevious: 'consent.view-previous',
  consentAll: 'consent.all',
  consentIndividual: 'consent.individual',
  consentAgree: 'consent.agree',
  consentDecline: 'consent.decline',
  referralNextPage: 'referral.next-page',
  referralPrevPage: 'referral.prev-page',
  referralSubmit: 'referral.submit',
  limitProvide: 'limit.provide',
  limitDecline: 'limit.decline',
  limitOpen: 'limit.open',
} as const;

/** `key.0` … `key.9`: the PIN / passcode pad. */
export const keyButtonId = (digit: number): string => `key.${digit}`;
/** `referral.letter.<n>`: toggles the n-th letter (0-based over all pages). */
export const referralButtonId = (index: number): string => `referral.letter.${index}`;

export const PIN_LENGTH = 4;

export type BusyKind = 'card' | 'pin' | 'staff' | 'backend' | 'registration' | 'consent';

export type ScreenRequest =
  | { id: 'idle'; visualMode: boolean; readerAvailable?: boolean; backendAvailable?: boolean }
  | { id: 'busy'; kind: BusyKind }
  | { id: 'revoked' }
  | { id: 'registration-offer' }
  | { id: 'registration-done' }
  | { id: 'method'; face: boolean; pin: boolean }
  | { id: 'face'; hint?: FaceHint }
  | { id: 'face-failed'; reason: 'no-match' | 'camera' | 'card-photo'; pin: boolean }
  | { id: 'pin'; typed: number; triesLeft: number; wrong: boolean }
  | { id: 'pin-locked'; slot: ReaderSlot }
  | { id: 'staff-passcode'; typed: number; hint?: 'wrong' | 'wait' }
  | { id: 'staff-locked' }
  | { id: 'staff-confirm'; consentFirst: boolean }
  | { id: 'staff-place-card' }
  | { id: 'terminal-visual-wait' }
  | { id: 'phone-choice' }
  | { id: 'phone-hold'; kind: 'android' | 'iphone'; retry: boolean }
  | { id: 'notice'; notice: 'expiring-soon' | 'grace' }
  | { id: 'consent-inherit' }
  | { id: 'consent-previous'; previous: ConsentAnswers; categories: ConsentCategory[] }
  | { id: 'consent-method'; categories: ConsentCategory[] }
  | { id: 'consent-item'; category: ConsentCategory }
  | { id: 'referral'; letters: { index: number; letter: ReferralLetter; selected: boolean }[]; page: number; pageCount: number }
  | { id: 'limit' }
  | { id: 'done'; patientName: string; slot: ReaderSlot; consentNotice?: 'not-registered' | 'unknown'; limitOffer?: boolean; qualificationOnly?: boolean }
  | { id: 'not-qualified'; status: Exclude<QualificationStatus, 'qualified'> }
  | { id: 'counter'; cause: FailureCause['kind']; outcomeUnknown?: boolean }
  | { id: 'remove-card'; reminder: boolean; timedOut: boolean };

export type ScreenId = ScreenRequest['id'];

function categoryText(category: ConsentCategory, config: FacilityConfig) {
  const diag = config.consent.diagnosisViewing;
  switch (category) {
    case 'surgery':
      return diag ? ja.categories.surgeryDiag : ja.categories.surgeryOnly;
    case 'clinical':
      return diag ? ja.categories.clinicalDiag : ja.categories.clinicalNoDiag;
    case 'medication':
      return ja.categories.medication;
    case 'checkup':
      return ja.categories.checkup;
    default: {
      const never: never = category;
      return never;
    }
  }
}

/** `【手術、傷病名、感染症／診療、お薬／健診】` from the categories the facility acquires (SPEC §6 step 2). */
export function consentBracket(categories: ConsentCategory[], config: FacilityConfig): string {
  const shown = categories.filter((c) => c !== 'medication' || !categories.includes('clinical'));
  return `【${shown.map((c) => categoryText(c, config).bracket).join('／')}】`;
}

/** The pad as seed 001 draws it: 1 2 3 / 4 5 6 / 7 8 9 / 0. */
const KEYPAD_ORDER = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0] as const;

function keypad(): PanelButton[] {
  return KEYPAD_ORDER.map((digit) => ({ id: keyButtonId(digit), label: ja.keys[digit], kind: 'key' as const }));
}

export interface RenderOptions {
  countdownSeconds?: number;
}

export function renderScreen(req: ScreenRequest, config: FacilityConfig, options: RenderOptions = {}): PanelView {
  const staffText = config.staff.language === 'en' ? { ...ja, ...enStaff } : ja;
  const view = (parts: Omit<PanelView, 'screenId' | 'facilityName'>): PanelView => {
    const v: PanelView = { screenId: req.id, facilityName: config.facility.name, ...parts };
    if (options.countdownSeconds !== undefined) v.countdownSeconds = options.countdownSeconds;
    return v;
  };
  switch (req.id) {
    case 'idle':
      // The reader (or pcscd) is away: say so instead of inviting a card (issue 11 item 7).
      if (req.readerAvailable === false) return view({ lines: [ja.readerPreparing, ja.pleaseWait], buttons: [] });
      return view({
        lines: [ja.idlePlaceCard, ja.phoneCaption, ...(req.backendAvailable === false ? [ja.backendUnreachable] : [])],
        buttons: [
          { id: BUTTON.phoneStart, label: ja.buttonPhone, kind: 'primary' },
          { id: BUTTON.staffStart, label: ja.buttonStaff, kind: 'small' },
        ],
        ...(req.visualMode ? { hint: ja.visualModeOn } : {}),
      });
    case 'busy':
      return view({
        lines: req.kind === 'card' ? [ja.reading, ja.doNotRemove] : [ja.checking],
        buttons: [],
      });
    case 'revoked':
      return view({ lines: [ja.revoked], buttons: [] });
    case 'registration-offer':
      return view({
        title: ja.registrationTitle,
        lines: [ja.registrationQuestion],
        buttons: [
          { id: BUTTON.registrationApply, label: ja.buttonApply, kind: 'primary' },
          { id: BUTTON.registrationDecline, label: ja.buttonNotApply, kind: 'secondary' },
        ],
      });
    case 'registration-done':
      return view({
        title: ja.registrationTitle,
        lines: [ja.registrationDone],
        buttons: [{ id: BUTTON.noticeNext, label: ja.buttonNext, kind: 'primary' }],
      });
    case 'method': {
      const buttons: PanelButton[] = [];
      if (req.face) buttons.push({ id: BUTTON.methodFace, label: ja.buttonFace, kind: 'primary' });
      if (req.pin) buttons.push({ id: BUTTON.methodPin, label: ja.buttonPin, kind: 'primary' });
      buttons.push({ id: BUTTON.methodQuit, label: ja.buttonQuit, kind: 'secondary' });
      buttons.push({ id: BUTTON.staffStart, label: ja.buttonStaff, kind: 'small' });
      return view({ lines: [ja.methodQuestion, ja.methodNote], buttons });
    }
    case 'face':
      return view({
        lines: [ja.faceLook],
        buttons: [{ id: BUTTON.faceCancel, label: ja.buttonCancel, kind: 'secondary' }],
        ...(req.hint ? { hint: ja.faceHints[req.hint] } : {}),
      });
    case 'face-failed': {
      const first = req.reason === 'camera' ? ja.faceCameraFailed : req.reason === 'card-photo' ? ja.faceCardPhoto : ja.faceFailed;
      const buttons: PanelButton[] = [];
      if (req.pin) buttons.push({ id: BUTTON.methodPin, label: ja.buttonPin, kind: 'primary' });
      buttons.push({ id: BUTTON.methodQuit, label: ja.buttonQuit, kind: 'secondary' });
      buttons.push({ id: BUTTON.staffStart, label: ja.buttonStaff, kind: 'primary' });
      // Name only what is offered: no PIN (face-only card, PIN locked) → the staff check alone.
      return view({ lines: [first, req.pin ? ja.faceChooseOther : ja.faceChooseStaff], buttons });
    }
    case 'pin': {
      const lines: string[] = [ja.pinPrompt];
      if (req.triesLeft < 3) lines.push(ja.pinTriesLeft(req.triesLeft));
      return view({
        lines,
        buttons: [
          ...keypad(),
          { id: BUTTON.keyBack, label: ja.buttonBackspace, kind: 'secondary' },
          { id: BUTTON.pinCancel, label: ja.buttonCancel, kind: 'secondary' },
        ],
        secretEntry: { typed: req.typed, length: PIN_LENGTH, ...(req.triesLeft < 3 ? { triesLeft: req.triesLeft } : {}) },
        ...(req.wrong ? { hint: ja.pinWrong } : {}),
      });
    }
    case 'pin-locked':
      return view({ lines: [ja.pinLocked, req.slot === 'card' ? ja.doneRemoveCard : ja.donePhone], buttons: [] });
    case 'staff-passcode':
      return view({
        lines: [staffText.staffPasscodePrompt],
        buttons: [
          ...keypad(),
          { id: BUTTON.keyBack, label: staffText.buttonBackspace, kind: 'secondary' },
          { id: BUTTON.staffAbort, label: staffText.buttonAbort, kind: 'secondary' },
        ],
        secretEntry: { typed: req.typed, length: PIN_LENGTH },
        ...(req.hint === 'wrong' ? { hint: staffText.staffPasscodeWrong } : req.hint === 'wait' ? { hint: staffText.staffPasscodeWait } : {}),
      });
    case 'staff-locked':
      return view({ lines: [staffText.staffLocked], buttons: [{ id: BUTTON.staffAbort, label: staffText.buttonAbort, kind: 'secondary' }] });
    case 'staff-confirm': {
      const buttons: PanelButton[] = [{ id: BUTTON.staffVisual, label: staffText.buttonVisualCheck, kind: 'primary' }];
      if (req.consentFirst) buttons.push({ id: BUTTON.staffConsentFirst, label: staffText.buttonConsentFirst, kind: 'secondary' });
      buttons.push({ id: BUTTON.staffAbort, label: staffText.buttonAbort, kind: 'secondary' });
      return view({ lines: [staffText.staffConfirmNote], buttons });
    }
    case 'staff-place-card':
      return view({
        lines: [ja.idlePlaceCard],
        hint: ja.visualModeOn,
        buttons: [{ id: BUTTON.staffAbort, label: staffText.buttonAbort, kind: 'secondary' }],
      });
    case 'terminal-visual-wait':
      // The terminal's 目視確認 mode: staff compare the patient with the card photo and tick
      // 「目視で本人確認完了」 on the terminal (seed 000 p.27); the panel only waits.
      return view({
        lines: [ja.terminalVisualWait, ja.pleaseWait],
        hint: ja.visualModeOn,
        buttons: [{ id: BUTTON.methodQuit, label: ja.buttonQuit, kind: 'secondary' }],
      });
    case 'phone-choice':
      return view({
        lines: [ja.phoneKindPrompt, ja.phoneFirstVisit],
        buttons: [
          { id: BUTTON.phoneAndroid, label: ja.buttonAndroid, kind: 'primary' },
          { id: BUTTON.phoneIphone, label: ja.buttonIphone, kind: 'primary' },
          { id: BUTTON.phoneCancel, label: ja.buttonCancel, kind: 'secondary' },
        ],
      });
    case 'phone-hold':
      return view({
        lines: [req.kind === 'android' ? ja.phoneHoldAndroid : ja.phoneHoldIphone],
        buttons: [{ id: BUTTON.phoneCancel, label: ja.buttonCancel, kind: 'secondary' }],
        ...(req.retry ? { hint: ja.phoneAgain } : {}),
      });
    case 'notice':
      return view({
        lines: [req.notice === 'expiring-soon' ? ja.noticeExpiringSoon : ja.noticeGrace],
        buttons: [{ id: BUTTON.noticeNext, label: ja.buttonNext, kind: 'primary' }],
      });
    case 'consent-inherit':
      // Seed 000: the question, with the previous consent one tap away (現在の同意状況をみる).
      return view({
        title: ja.inheritTitle,
        lines: [ja.consentMethodQuestion],
        buttons: [
          { id: BUTTON.consentInherit, label: ja.buttonInherit, kind: 'primary' },
          { id: BUTTON.consentReselect, label: ja.buttonReselect, kind: 'secondary' },
          { id: BUTTON.consentViewPrevious, label: ja.buttonViewPrevious, kind: 'secondary' },
        ],
      });
    case 'consent-previous':
      // Seed 000's 事前・前回の同意状況 list; 戻る returns to the question.
      return view({
        title: ja.inheritHeading,
        lines: req.categories
          // お薬 is part of 診療・お薬: its own line only where 診療・お薬 is not acquired or was refused.
          .filter((c) => c !== 'medication' || !req.categories.includes('clinical') || req.previous.clinical !== true)
          .map((c) => {
            const text = categoryText(c, config);
            return `・${text.inherit}${text.inheritSeparator}${req.previous[c] ? ja.yes : ja.no}`;
          }),
        buttons: [{ id: BUTTON.consentBack, label: ja.buttonBack, kind: 'secondary' }],
      });
    case 'consent-method':
      return view({
        title: ja.consentMethodTitle,
        lines: [ja.consentMethodQuestion, consentBracket(req.categories, config)],
        buttons: [
          { id: BUTTON.consentAll, label: ja.buttonAgreeAll, kind: 'primary' },
          { id: BUTTON.consentIndividual, label: ja.buttonIndividual, kind: 'secondary' },
        ],
      });
    case 'consent-item': {
      const text = categoryText(req.category, config);
      return view({
        title: text.title,
        lines: [text.question],
        buttons: [
          { id: BUTTON.consentAgree, label: ja.buttonAgree, kind: 'primary' },
          { id: BUTTON.consentDecline, label: ja.buttonDecline, kind: 'secondary' },
        ],
      });
    }
    case 'referral': {
      const last = req.page + 1 >= req.pageCount;
      return view({
        title: ja.referralTitle,
        lines: [ja.referralPrompt(req.page + 1, req.pageCount)],
        buttons: [
          ...req.letters.map(({ index, letter, selected }) => ({
            id: referralButtonId(index),
            label: `${selected ? ja.selected : ja.unselected} ${ja.referralLetter(letter.issuedOn, letter.issuer, letter.department)}`,
            kind: 'secondary' as const,
          })),
          ...(req.page > 0 ? [{ id: BUTTON.referralPrevPage, label: ja.buttonPrevPage, kind: 'secondary' as const }] : []),
          last
            ? { id: BUTTON.referralSubmit, label: ja.buttonNext, kind: 'primary' as const }
            : { id: BUTTON.referralNextPage, label: ja.buttonNextPage, kind: 'primary' as const },
        ],
        // The prompt carries `1/X` (SPEC §6 step 4): no second page number in the title.
      });
    }
    case 'limit':
      return view({
        title: ja.limitTitle,
        lines: [ja.limitQuestion],
        buttons: [
          { id: BUTTON.limitProvide, label: ja.buttonProvide, kind: 'primary' },
          { id: BUTTON.limitDecline, label: ja.buttonNotProvide, kind: 'secondary' },
        ],
      });
    case 'done':
      return view({
        lines: [
          ja.doneName(req.patientName),
          ja.doneComplete,
          ...(req.qualificationOnly ? [ja.doneQualificationOnly] : []),
          ...(req.consentNotice === 'not-registered' ? [ja.consentNotRegistered] : req.consentNotice === 'unknown' ? [ja.consentRegistrationUnknown] : []),
          req.limitOffer ? (req.slot === 'card' ? ja.doneEndRemoveCard : ja.donePhone) : req.slot === 'card' ? ja.doneRemoveCard : ja.donePhone,
        ],
        // Seed 000 現行: the limit screen is a button on the done screen.
        buttons: req.limitOffer ? [{ id: BUTTON.limitOpen, label: ja.limitTitle, kind: 'secondary' }] : [],
      });
    case 'not-qualified':
      return view({
        lines: [req.status === 'invalid' ? ja.resultInvalid : ja.resultNoRecord, ja.goToCounter, ja.doneRemoveCard],
        buttons: [],
      });
    case 'counter':
      // 申し込まない (seed 003): say what follows — the counter today, Mynaportal or this reader later.
      if (req.cause === 'registration-declined') return view({ lines: [ja.registrationDeclined, ja.goToCounter, ja.registrationLater, ja.doneRemoveCard], buttons: [] });
      // Whether the backend recorded the confirmation is not known (issue 11): never claim it failed.
      return view({ lines: [req.outcomeUnknown ? ja.counterOutcomeUnknown : ja.counterTrouble, ja.goToCounter, ja.doneRemoveCard], buttons: [] });
    case 'remove-card':
      return view({
        lines: [...(req.timedOut ? [ja.timedOut] : []), ja.doneRemoveCard],
        buttons: [],
        ...(req.reminder ? { hint: ja.cardLeftReminder } : {}),
      });
    default: {
      const never: never = req;
      throw new Error(`unknown screen ${JSON.stringify(never)}`);
    }
  }
}
