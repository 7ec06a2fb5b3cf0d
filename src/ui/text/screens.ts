/**
 * Screens as data: `renderScreen(request, config)` turns the engine's `ScreenRequest` (kind,
 * parameters, button ids — `src/session/screen.ts`) into the `PanelView` the panel draws, with every
 * word taken from the catalogue (`./ja`). The engine decides which buttons are offered; this file
 * only names them and gives them their visual weight.
 */
import type { FacilityConfig } from '../../config/schema';
import type { ConsentCategory } from '../../session/events';
import { BUTTON, PIN_LENGTH, type ButtonId, type NamedButtonId, type ScreenRequest } from '../../session/screen';
import type { PanelButton, PanelView } from '../panel-view';
import { enStaff, ja } from './ja';

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

/** The pad as seed 001 draws it: 1 2 3 / 4 5 6 / 7 8 9 / 0, wherever the engine offers keys. */
const KEYPAD_ORDER = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0] as const;

/** The catalogue with the staff strings possibly in English (config `staff.language`). */
type Text = Omit<typeof ja, keyof typeof enStaff> & Record<keyof typeof enStaff, string>;

/** Label and weight of each named button (the staff screens' words follow `staff.language`). */
function namedButton(id: NamedButtonId, req: ScreenRequest, t: Text): Omit<PanelButton, 'id'> {
  switch (id) {
    case BUTTON.phoneStart:
      return { label: t.buttonPhone, kind: 'primary' };
    case BUTTON.staffStart:
      // After a failed face check the staff check is one of the two ways on: as large as the PIN.
      return { label: t.buttonStaff, kind: req.kind === 'face-failed' ? 'primary' : 'small' };
    case BUTTON.registrationApply:
      return { label: t.buttonApply, kind: 'primary' };
    case BUTTON.registrationDecline:
      return { label: t.buttonNotApply, kind: 'secondary' };
    case BUTTON.methodFace:
      return { label: t.buttonFace, kind: 'primary' };
    case BUTTON.methodPin:
      return { label: t.buttonPin, kind: 'primary' };
    case BUTTON.methodQuit:
      return { label: t.buttonQuit, kind: 'secondary' };
    case BUTTON.faceCancel:
    case BUTTON.pinCancel:
    case BUTTON.phoneCancel:
      return { label: t.buttonCancel, kind: 'secondary' };
    case BUTTON.keyBack:
      return { label: t.buttonBackspace, kind: 'secondary' };
    case BUTTON.staffAbort:
      return { label: t.buttonAbort, kind: 'secondary' };
    case BUTTON.staffVisual:
      return { label: t.buttonVisualCheck, kind: 'primary' };
    case BUTTON.staffConsentFirst:
      return { label: t.buttonConsentFirst, kind: 'secondary' };
    case BUTTON.phoneAndroid:
      return { label: t.buttonAndroid, kind: 'primary' };
    case BUTTON.phoneIphone:
      return { label: t.buttonIphone, kind: 'primary' };
    case BUTTON.noticeNext:
    case BUTTON.referralSubmit:
      return { label: t.buttonNext, kind: 'primary' };
    case BUTTON.consentInherit:
      return { label: t.buttonInherit, kind: 'primary' };
    case BUTTON.consentReselect:
      return { label: t.buttonReselect, kind: 'secondary' };
    case BUTTON.consentViewPrevious:
      return { label: t.buttonViewPrevious, kind: 'secondary' };
    case BUTTON.consentBack:
      return { label: t.buttonBack, kind: 'secondary' };
    case BUTTON.consentAll:
      return { label: t.buttonAgreeAll, kind: 'primary' };
    case BUTTON.consentIndividual:
      return { label: t.buttonIndividual, kind: 'secondary' };
    case BUTTON.consentAgree:
      return { label: t.buttonAgree, kind: 'primary' };
    case BUTTON.consentDecline:
      return { label: t.buttonDecline, kind: 'secondary' };
    case BUTTON.referralNextPage:
      return { label: t.buttonNextPage, kind: 'primary' };
    case BUTTON.referralPrevPage:
      return { label: t.buttonPrevPage, kind: 'secondary' };
    case BUTTON.limitProvide:
      return { label: t.buttonProvide, kind: 'primary' };
    case BUTTON.limitDecline:
      return { label: t.buttonNotProvide, kind: 'secondary' };
    case BUTTON.authVisual:
      return { label: t.buttonAuthVisual, kind: 'primary' };
    case BUTTON.authPin:
      return { label: t.buttonAuthPin, kind: 'primary' };
    case BUTTON.callStaff:
      return { label: t.buttonCallStaff, kind: 'small' };
    case BUTTON.limitOpen:
      // Seed 000 現行: the limit screen is a button on the done screen, named as the screen.
      return { label: t.limitTitle, kind: 'secondary' };
    default: {
      const never: never = id;
      throw new Error(`unknown button ${String(never)}`);
    }
  }
}

function buttonOf(id: ButtonId, req: ScreenRequest, t: Text): PanelButton {
  const key = /^key\.(\d)$/.exec(id);
  if (key) return { id, label: ja.keys[Number(key[1])]!, kind: 'key' };
  const letter = /^referral\.letter\.(\d+)$/.exec(id);
  if (letter) {
    const entry = req.kind === 'referral' ? req.letters.find((l) => l.index === Number(letter[1])) : undefined;
    if (!entry) throw new Error(`button ${id} without its letter on ${req.kind}`);
    const { letter: l, selected } = entry;
    return { id, label: `${selected ? ja.selected : ja.unselected} ${ja.referralLetter(l.issuedOn, l.issuer, l.department)}`, kind: 'secondary' };
  }
  return { id, ...namedButton(id as NamedButtonId, req, t) };
}

/** The offered buttons, in the engine's order, with the pad's keys laid out where the first key is. */
function buttonsOf(req: ScreenRequest, t: Text): PanelButton[] {
  const out: PanelButton[] = [];
  const keys = new Set(req.buttons.filter((id) => id.startsWith('key.') && id !== BUTTON.keyBack));
  let padPlaced = false;
  for (const id of req.buttons) {
    if (keys.has(id)) {
      if (padPlaced) continue;
      padPlaced = true;
      for (const digit of KEYPAD_ORDER) if (keys.has(`key.${digit}`)) out.push(buttonOf(`key.${digit}`, req, t));
      continue;
    }
    out.push(buttonOf(id, req, t));
  }
  return out;
}

export function renderScreen(req: ScreenRequest, config: FacilityConfig): PanelView {
  const staffText: Text = config.staff.language === 'en' ? { ...ja, ...enStaff } : ja;
  const staffScreen = req.kind === 'staff-passcode' || req.kind === 'staff-locked' || req.kind === 'staff-confirm' || req.kind === 'staff-place-card';
  const t = staffScreen ? staffText : ja;
  const offers = (id: ButtonId) => req.buttons.includes(id);
  const view = (parts: Omit<PanelView, 'screenId' | 'facilityName' | 'buttons'>): PanelView => {
    const v: PanelView = { screenId: req.kind, facilityName: config.facility.name, ...parts, buttons: buttonsOf(req, t) };
    if (req.countdownSeconds !== undefined) v.countdownSeconds = req.countdownSeconds;
    return v;
  };
  switch (req.kind) {
    case 'idle':
      // The reader (or pcscd) is away: say so instead of inviting a card (issue 11 item 7).
      if (!req.readerAvailable) return view({ lines: [ja.readerPreparing, ja.pleaseWait] });
      return view({
        // The caption belongs to the smartphone button; kind ③ offers none (seed 004).
        lines: [ja.idlePlaceCard, ...(req.buttons.includes(BUTTON.phoneStart) ? [ja.phoneCaption] : []), ...(req.backendAvailable ? [] : [ja.backendUnreachable])],
        // The presence sensor woke the panel (issue 16): the prompt as the hint, drawn prominently.
        ...(req.visualMode ? { hint: ja.visualModeOn } : req.awake ? { hint: ja.idleAwake } : {}),
      });
    case 'busy':
      return view({ lines: req.busy === 'card' ? [ja.reading, ja.doNotRemove] : [ja.checking] });
    case 'certificate-unusable':
      return view({ lines: [ja.certificateUnusable] });
    case 'registration-offer':
      return view({ title: ja.registrationTitle, lines: [ja.registrationQuestion] });
    case 'registration-done':
      return view({ title: ja.registrationTitle, lines: [ja.registrationDone] });
    case 'method':
      return view({ lines: [ja.methodQuestion, ja.methodNote, ...noPinLine(req.noPin)] });
    case 'auth-select':
      return view({ title: ja.authSelectTitle, lines: [ja.authSelectNote, ...noPinLine(req.noPin)] });
    case 'face':
      return view({ lines: [ja.faceLook], ...(req.hint ? { hint: ja.faceHints[req.hint] } : {}), ...(req.flash ? { fill: req.flash } : {}) });
    case 'face-failed': {
      const first = req.reason === 'camera' ? ja.faceCameraFailed : req.reason === 'card-photo' ? ja.faceCardPhoto : ja.faceFailed;
      // Name only what is offered: no PIN (face-only card, PIN locked) → the staff check alone.
      return view({ lines: [first, offers(BUTTON.methodPin) ? ja.faceChooseOther : ja.faceChooseStaff] });
    }
    case 'pin': {
      const lines: string[] = [ja.pinPrompt];
      if (req.triesLeft < 3) lines.push(ja.pinTriesLeft(req.triesLeft));
      return view({
        lines,
        secretEntry: { typed: req.typed, length: req.length, ...(req.triesLeft < 3 ? { triesLeft: req.triesLeft } : {}) },
        ...(req.wrong ? { hint: ja.pinWrong } : {}),
      });
    }
    case 'pin-locked':
      return view({ lines: req.slot === 'card' ? [ja.pinLocked, ja.doneRemoveCard] : [ja.pinLockedPhone, ja.donePhone] });
    case 'staff-passcode':
      return view({
        lines: [staffText.staffPasscodePrompt],
        secretEntry: { typed: req.typed, length: req.length },
        ...(req.hint === 'wrong' ? { hint: staffText.staffPasscodeWrong } : req.hint === 'wait' ? { hint: staffText.staffPasscodeWait } : {}),
      });
    case 'staff-locked':
      return view({ lines: [staffText.staffLocked] });
    case 'staff-confirm':
      return view({ lines: [staffText.staffConfirmNote] });
    case 'staff-place-card':
      return view({ lines: [ja.idlePlaceCard], hint: ja.visualModeOn });
    case 'terminal-visual-wait':
      // The terminal's 目視確認 mode: staff compare the patient with the card photo and tick
      // 「目視で本人確認完了」 on the terminal (seed 000 p.27); the panel only waits.
      return view({ lines: [ja.terminalVisualWait, ja.pleaseWait], hint: ja.visualModeOn });
    case 'phone-choice':
      // Seed 001 draws this screen without the first-visit note: 「初めて受診する医療機関等には
      // マイナンバーカードもあわせてお持ち下さい」 is preparation advice beside the operating steps.
      return view({ lines: [ja.phoneKindPrompt] });
    case 'phone-hold':
      return view({ lines: [req.phone === 'android' ? ja.phoneHoldAndroid : ja.phoneHoldIphone], ...(req.retry ? { hint: ja.phoneAgain } : {}) });
    case 'notice':
      return view({ lines: [req.notice === 'expiring-soon' ? ja.noticeExpiringSoon : ja.noticeGrace] });
    case 'consent-inherit':
      // Seed 000: the question, with the previous consent one tap away (現在の同意状況をみる).
      return view({ title: ja.inheritTitle, lines: [ja.consentMethodQuestion] });
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
      });
    case 'consent-method':
      return view({ title: ja.consentMethodTitle, lines: [ja.consentMethodQuestion, consentBracket(req.categories, config)] });
    case 'consent-item': {
      const text = categoryText(req.category, config);
      return view({ title: text.title, lines: [text.question] });
    }
    case 'referral':
      // The prompt carries `1/X` (SPEC §6 step 4): no second page number in the title.
      return view({ title: ja.referralTitle, lines: [ja.referralPrompt(req.page + 1, req.pageCount)] });
    case 'limit':
      return view({ title: ja.limitTitle, lines: [ja.limitQuestion] });
    case 'done': {
      const limitOffer = offers(BUTTON.limitOpen);
      return view({
        ...(req.staffResult ? { title: ja.staffResultTitle } : {}),
        lines: [
          ...(req.staffResult ? [ja.staffResultQualified] : []),
          ja.doneName(req.patientName),
          ja.doneComplete,
          ...(req.qualificationOnly ? [ja.doneQualificationOnly] : []),
          ...(req.consentNotice === 'not-registered' ? [ja.consentNotRegistered] : req.consentNotice === 'unknown' ? [ja.consentRegistrationUnknown] : []),
          req.slot !== 'card' ? ja.donePhone : limitOffer ? ja.doneEndRemoveCard : ja.doneRemoveCard,
        ],
      });
    }
    case 'not-qualified':
      return view({ lines: [req.status === 'invalid' ? ja.resultInvalid : ja.resultNoRecord, ja.goToCounter, ja.doneRemoveCard] });
    case 'counter':
      // 申し込まない (seed 003): say what follows — the counter today, Mynaportal or this reader later.
      if (req.cause === 'registration-declined') return view({ lines: [ja.registrationDeclined, ja.goToCounter, ja.registrationLater, ja.doneRemoveCard] });
      // Whether the backend recorded the confirmation is not known (issue 11): never claim it failed.
      return view({ lines: [req.outcomeUnknown ? ja.counterOutcomeUnknown : ja.counterTrouble, ja.goToCounter, ja.doneRemoveCard] });
    case 'remove-card':
      return view({ lines: [...(req.timedOut ? [ja.timedOut] : []), ja.doneRemoveCard], ...(req.reminder ? { hint: ja.cardLeftReminder } : {}) });
    default: {
      const never: never = req;
      throw new Error(`unknown screen ${JSON.stringify(never)}`);
    }
  }
}

/** Why a method screen has no PIN button (issue 16 bug: it gave no reason). */
function noPinLine(noPin: 'not-set' | 'locked' | undefined): string[] {
  if (noPin === 'not-set') return [ja.methodNoPinNotSet];
  if (noPin === 'locked') return [ja.methodNoPinLocked];
  return [];
}
