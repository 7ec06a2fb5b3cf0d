/**
 * The consent step (SPEC §6, seed 000): inherit the previous consent or choose again, 全て同意する
 * or one category at a time, the referral letters, the legacy 限度額情報 screen, then one
 * registration. Also the kind ② ordering (SPEC §2), where staff take the consents before identity.
 */
import type { FacilityConfig } from '../config/schema';
import type { BackendFailureKind, ConsentAnswers, ConsentCategory } from './events';
import { consentRecord, done } from './flow';
import { BUTTON, type ButtonId } from './screen';
import type { Phase, PhaseName, SessionState } from './state';
import type { Step } from './step';

const CATEGORY_ORDER: readonly ConsentCategory[] = ['surgery', 'clinical', 'medication', 'checkup'];

/** Categories the facility acquires (SPEC §6 step 5), in screen order. */
export function acquiredCategories(config: FacilityConfig): ConsentCategory[] {
  return CATEGORY_ORDER.filter((c) => config.consent.acquired[c]);
}

/**
 * A previous consent as it applies today: consent to 診療・お薬 covers お薬 (SPEC §6, seed 000),
 * so a facility that acquires お薬 shows and inherits it as agreed — as the individual screens
 * record お薬 agreed when 診療・お薬 is.
 */
export function effectivePrevious(previous: ConsentAnswers): ConsentAnswers {
  return previous.clinical === true ? { ...previous, medication: true } : { ...previous };
}

/** Seed 000 現行: the done screen offers 高額療養費制度を利用する方はこちら until it was answered. */
export function legacyLimitOffered(state: SessionState): boolean {
  return state.config.consent.legacyLimitScreen && state.data.consentRegistration === 'registered' && !state.data.consent.limitInfo && !state.data.limitAnswered;
}

/**
 * Kind ② (SPEC §2): staff may take the consents first when the camera failed before identity,
 * outside grace and qualification-only sessions, where the facility acquires any category.
 */
export function consentFirstAllowed(state: SessionState): boolean {
  const d = state.data;
  // Staff start it for a patient who cannot operate the panel, not only after a camera failure
  // (seed 001: 「患者が顔認証付きカードリーダーの操作ができない等の理由」, issue 16 item 4).
  return (
    state.config.mode === 'standard' &&
    !d.consentFirst &&
    d.card !== null &&
    d.identity === null &&
    d.card.certificateStatus !== 'grace' &&
    d.card.revocationUnknown !== true &&
    acquiredCategories(state.config).length > 0
  );
}

function restrictToAcquired(t: Step, answers: ConsentAnswers): ConsentAnswers {
  const out: ConsentAnswers = {};
  for (const c of acquiredCategories(t.config)) {
    const v = answers[c];
    if (v !== undefined) out[c] = v;
  }
  return out;
}

/** Start the SPEC §6 consent screens after a qualified result (or before identity, kind ②). */
export function startConsent(t: Step): void {
  const previous = t.data.qualification?.previousConsent;
  if (!t.data.consentFirst && previous && Object.keys(restrictToAcquired(t, previous)).length > 0) {
    t.go({ name: 'consent-inherit' });
  } else if (acquiredCategories(t.config).length > 0) {
    t.go({ name: 'consent-method' });
  } else {
    afterCategories(t);
  }
}

/** The next category screen after `after` (or the first), skipping お薬 unless 診療・お薬 was declined. */
function nextCategory(t: Step, after: ConsentCategory | null): ConsentCategory | null {
  const list = acquiredCategories(t.config);
  const start = after === null ? 0 : list.indexOf(after) + 1;
  for (const c of list.slice(start)) {
    if (c === 'medication' && t.data.consent.categories.clinical === true) continue;
    return c;
  }
  return null;
}

function afterCategories(t: Step): void {
  const letters = t.data.qualification?.referralLetters ?? [];
  // Kind ② before identity: the letters are listed only by the answer (asked after it).
  if (!(t.data.consentFirst && t.data.identity === null) && t.config.consent.referralLetters && letters.length > 0) {
    t.go({ name: 'referral', page: 0 });
    return;
  }
  // No category acquired and no letter screen: nothing was asked, and the record says so.
  if (t.data.consent.mode === undefined) t.data.consent.mode = 'not-asked';
  afterReferral(t);
}

/**
 * 限度額情報: provided without asking since 2024-10-07 (SPEC §6 step 6). Behind the legacy setting
 * it is provided only on request, from the button on the done screen (seed 000 現行).
 */
function afterReferral(t: Step): void {
  t.data.consent.limitInfo = !t.config.consent.legacyLimitScreen;
  consentComplete(t);
}

/**
 * Whether a previous consent (as it applies today, acquired categories only) answers any
 * category otherwise than the consents just given: absent counts as not agreed.
 */
function previousDiffers(t: Step, previous: ConsentAnswers): boolean {
  const given = t.data.consent.categories;
  return acquiredCategories(t.config).some((c) => previous[c] !== undefined && (previous[c] === true) !== (given[c] === true));
}

/**
 * Kind ② after the result: the categories went with the query. The previous consent is known
 * only now (seed 000 asks the inheritance question 「情報がある場合」); where one exists and differs
 * from the answers just given, the patient gets the same question as in kind ①
 * (引き継ぐ / 選択し直す / みる) before anything is registered, so taking the consent first never
 * silently overwrites a broader earlier consent (issue 16 item 4). The referral letters, which
 * only the answer lists, are asked then and registered as for kind ①.
 */
export function consentFirstAfterResult(t: Step): void {
  const previous = t.data.qualification?.previousConsent;
  if (t.data.consentCollected && previous && previousDiffers(t, restrictToAcquired(t, effectivePrevious(previous)))) {
    t.go({ name: 'consent-inherit' });
    return;
  }
  const letters = t.data.qualification?.referralLetters ?? [];
  if (t.data.consentCollected && t.config.consent.referralLetters && letters.length > 0) {
    t.go({ name: 'referral', page: 0 });
    return;
  }
  done(t, t.data.consentCollected);
}

function consentComplete(t: Step): void {
  t.data.consentCollected = true;
  if (t.data.consentFirst && t.data.identity === null) {
    // Kind ②: consent taken; now PIN or the visual check (SPEC §2).
    t.go({ name: 'method' });
    return;
  }
  t.go({ name: 'registering-consent' });
  t.emit({ type: 'register-consent', consent: consentRecord(t) });
}

/** The consents (or the 限度額情報 added after done) were registered. */
export function onConsentRegistered(t: Step): void {
  t.data.consentRegistration = 'registered';
  if (t.data.limitAnswered) {
    // The limit info added after done (seed 000 現行): the session was recorded already.
    t.go({ name: 'done' });
    return;
  }
  done(t, true);
}

/**
 * The qualification is recorded; only the consents are not (or not known to be): the patient is
 * done, and panel and record say which (issue 11: never a silent mismatch).
 */
export function onConsentNotRegistered(t: Step, kind: BackendFailureKind): void {
  t.data.consentRegistration = kind === 'outcome-unknown' ? 'unknown' : 'not-registered';
  t.log('warn', 'consent-not-registered', { kind });
  t.record({ status: 'qualified', consented: false, error: { kind: 'consent-registration', detail: kind } });
  t.emit({ type: 'beep', pattern: 'error' });
  t.go({ name: 'done' });
}

type PhaseOf<N extends PhaseName> = Extract<Phase, { name: N }>;
type Buttons<N extends PhaseName> = (t: Step, phase: PhaseOf<N>, id: ButtonId) => void;

/** The buttons of the consent screens (and the done screen's 限度額情報 button). */
export const consentButtons: {
  [N in 'consent-inherit' | 'consent-previous' | 'consent-method' | 'consent-item' | 'referral' | 'limit' | 'done']: Buttons<N>;
} = {
  'consent-inherit': (t, _phase, id) => {
    if (id === BUTTON.consentInherit) {
      t.data.consent.categories = restrictToAcquired(t, effectivePrevious(t.data.qualification?.previousConsent ?? {}));
      t.data.consent.mode = 'inherited';
      afterCategories(t);
    } else if (id === BUTTON.consentReselect) {
      t.go({ name: 'consent-method' });
    } else if (id === BUTTON.consentViewPrevious) {
      t.go({ name: 'consent-previous' });
    }
  },
  // Seed 000: 戻る returns to the question (identity and result are kept).
  'consent-previous': (t, _phase, id) => {
    if (id === BUTTON.consentBack) t.go({ name: 'consent-inherit' });
  },
  'consent-method': (t, _phase, id) => {
    if (id === BUTTON.consentAll) {
      t.data.consent.categories = {};
      for (const c of acquiredCategories(t.config)) t.data.consent.categories[c] = true;
      t.data.consent.mode = 'comprehensive';
      afterCategories(t);
    } else if (id === BUTTON.consentIndividual) {
      t.data.consent.categories = {};
      t.data.consent.mode = 'individual';
      const first = nextCategory(t, null);
      if (first) t.go({ name: 'consent-item', category: first });
      else afterCategories(t);
    }
  },
  'consent-item': (t, phase, id) => {
    const agreed = id === BUTTON.consentAgree;
    t.data.consent.categories[phase.category] = agreed;
    // 診療・お薬 covers お薬: agreeing to it answers the medication question too.
    if (phase.category === 'clinical' && agreed && t.config.consent.acquired.medication) t.data.consent.categories.medication = true;
    const next = nextCategory(t, phase.category);
    if (next) t.go({ name: 'consent-item', category: next });
    else afterCategories(t);
  },
  referral: (t, phase, id) => {
    const letters = t.data.qualification?.referralLetters ?? [];
    const letterMatch = /^referral\.letter\.(\d+)$/.exec(id);
    if (letterMatch) {
      const letter = letters[Number(letterMatch[1])];
      if (letter) {
        const ids = t.data.consent.referralLetterIds;
        t.data.consent.referralLetterIds = ids.includes(letter.id) ? ids.filter((x) => x !== letter.id) : [...ids, letter.id];
      }
      t.go({ name: 'referral', page: phase.page });
    } else if (id === BUTTON.referralNextPage) {
      t.go({ name: 'referral', page: phase.page + 1 });
    } else if (id === BUTTON.referralPrevPage) {
      t.go({ name: 'referral', page: Math.max(0, phase.page - 1) });
    } else if (id === BUTTON.referralSubmit) {
      afterReferral(t);
    }
  },
  limit: (t, _phase, id) => {
    t.data.limitAnswered = true;
    if (id === BUTTON.limitProvide) {
      // The consents are registered already: this second registration adds the limit info.
      t.data.consent.limitInfo = true;
      t.go({ name: 'registering-consent' });
      t.emit({ type: 'register-consent', consent: consentRecord(t), update: 'limit-info' });
    } else {
      t.go({ name: 'done' });
    }
  },
  done: (t, _phase, id) => {
    if (id === BUTTON.limitOpen) t.go({ name: 'limit' });
  },
};
