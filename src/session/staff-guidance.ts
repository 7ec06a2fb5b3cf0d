/**
 * What staff are told when a session cannot confirm the patient on the reader (SPEC §8, seeds 001
 * and 002): the one source of the guidance. The engine attaches it to the session record of every
 * cause that stops a session on the device or sends the patient to the counter; the UI words it
 * (`src/ui/text/staff-guidance.ts`). The backend does not send guidance: what staff do at the
 * counter is the facility's procedure, decided here (issue 16 item 6).
 *
 * The seeds' order:
 * - seed 001 (目視確認モード): a face that fails or a PIN that cannot be entered is checked by staff
 *   on the reader itself — the session can still confirm the patient;
 * - seed 002 p.7, seed 001 p.5 (資格確認書 交付対象者): a certificate past its 3-month grace, or a card not
 *   registered for insurance use, is covered by the 資格確認書 the insurer issues;
 * - seed 002 p.5–6: the Mynaportal qualification screen (PDF included) or the 資格情報のお知らせ
 *   sheet, each **with** the card; otherwise past visit records for a repeat patient, the
 *   被保険者資格申立書 for a first visit;
 * - seed 001 (レセプト請求方法): a number confirmed by Mynaportal or the notice sheet is claimed as
 *   is; after past records or the self-declaration, the routes A → B → C in turn: A the current
 *   number (patient interview, past visits), B the past number (the 資格（無効） screen — the lost
 *   qualification for 資格無効 — or past visits), C the number unknown, filled with 7s and the
 *   self-declaration's address in the 摘要欄 (不詳レセプト, only by route C).
 */
import type { FailureCause } from './effects';

/** One thing staff do at the counter, in the order they try them. */
export type GuidanceStep =
  /**
   * A smartphone whose PIN locked: the patient's My Number card on this reader (seed 001: a phone
   * certificate is issued from the card; bring the card to a first visit).
   */
  | 'card-on-reader'
  /** Seed 001: 目視確認モード (顔認証失敗・暗証番号入力不可・その他患者が操作困難な場合) on this reader. */
  | 'visual-check-on-reader'
  /** Seed 001 (居宅同意取得型): the facility's mobile terminal reads the card when this reader is faulty. */
  | 'mobile-terminal'
  /** Seeds 001, 002: the 資格確認書 the insurer issues to people whose card cannot serve as マイナ保険証. */
  | 'qualification-certificate'
  /** Seed 002: マイナポータル画面（PDF含む）＋マイナンバーカード, or 資格情報のお知らせ＋マイナンバーカード. */
  | 'mynaportal-or-notice-sheet-with-card'
  /** Seed 002: a repeat patient — the past visit records. */
  | 'past-visit-records'
  /** Seed 002: a first visit — the patient fills in the 被保険者資格申立書. */
  | 'self-declaration-form';

/** Seed 001 レセプト請求方法, after past visit records or the self-declaration: A, then B, then C. */
export type ClaimRoute =
  | { route: 'A'; insuredNumber: 'current'; from: ('patient-interview' | 'past-visit-records')[] }
  | { route: 'B'; insuredNumber: 'past'; from: ('invalid-result-screen' | 'past-visit-records')[]; lostQualification: boolean }
  | { route: 'C'; insuredNumber: 'unknown-sevens'; from: ['self-declaration-form']; unknownReceipt: true };

/** What the patient is told to do before the next visit (seed 001 screens, seed 003). */
export type PatientFollowUp =
  | 'renew-certificate-at-municipal-office'
  | 'reset-pin-at-municipal-office'
  /** A phone's PIN is the スマホ用電子証明書's own: the certificate is applied for again with the card (seed 001). */
  | 'reapply-phone-certificate'
  | 'register-insurance-use';

export interface StaffGuidance {
  cause: FailureCause;
  steps: GuidanceStep[];
  claimRoutes: ClaimRoute[];
  followUp?: PatientFollowUp;
}

/** The seed 002 order every cause ends with. */
const COUNTER_STEPS: GuidanceStep[] = ['mynaportal-or-notice-sheet-with-card', 'past-visit-records', 'self-declaration-form'];

function claimRoutes(cause: FailureCause): ClaimRoute[] {
  const invalid = cause.kind === 'qualification' && cause.detail === 'invalid';
  return [
    { route: 'A', insuredNumber: 'current', from: ['patient-interview', 'past-visit-records'] },
    // Only a 資格無効 answer shows the 資格（無効） screen with the lost qualification.
    { route: 'B', insuredNumber: 'past', from: invalid ? ['invalid-result-screen', 'past-visit-records'] : ['past-visit-records'], lostQualification: invalid },
    { route: 'C', insuredNumber: 'unknown-sevens', from: ['self-declaration-form'], unknownReceipt: true },
  ];
}

/** Steps tried on the device or with other documents before the seed 002 order. */
function firstSteps(cause: FailureCause): GuidanceStep[] {
  switch (cause.kind) {
    case 'pin-locked':
      // A phone has no photo to compare: its holder is checked with the card instead.
      return cause.slot === 'smartphone' ? ['card-on-reader'] : ['visual-check-on-reader'];
    case 'camera':
    case 'face-impossible':
      return ['visual-check-on-reader'];
    case 'card-read':
      return cause.detail === 'reader-error' ? ['mobile-terminal'] : [];
    case 'certificate-expired':
    case 'registration-declined':
      return ['qualification-certificate'];
    case 'backend':
    case 'certificate-revoked':
    case 'qualification':
    case 'insurance-registration':
    case 'card-data-refused':
    case 'consent-registration':
      return [];
  }
}

function followUpOf(cause: FailureCause): PatientFollowUp | undefined {
  switch (cause.kind) {
    case 'certificate-revoked':
    case 'certificate-expired':
      return 'renew-certificate-at-municipal-office';
    case 'pin-locked':
      // A phone's PIN is the phone's own (スマホ用電子証明書): reset on the phone, not at the office.
      return cause.slot === 'smartphone' ? 'reapply-phone-certificate' : 'reset-pin-at-municipal-office';
    case 'registration-declined':
    case 'insurance-registration':
      return 'register-insurance-use';
    default:
      return undefined;
  }
}

/**
 * The guidance for a cause, or `undefined` when nothing is owed at the counter: the consents
 * failed after the qualification was recorded (the reception itself stands).
 */
export function staffGuidanceFor(cause: FailureCause): StaffGuidance | undefined {
  if (cause.kind === 'consent-registration') return undefined;
  const followUp = followUpOf(cause);
  return {
    cause,
    steps: [...firstSteps(cause), ...COUNTER_STEPS],
    claimRoutes: claimRoutes(cause),
    ...(followUp ? { followUp } : {}),
  };
}
