/**
 * The staff guidance of SPEC §8 in Japanese (seeds 001, 002): what the reception terminal or the
 * technician shows for a session record's `guidance` (decided by src/session/staff-guidance.ts).
 * Numbered as seed 001 P9 counts the ways: ① Mynaportal + card, ② 資格情報のお知らせ + card,
 * ③ past visit records, ④ the self-declaration; its claim text refers to those numbers.
 */
import type { FailureCause } from '../../session/effects';
import type { GuidanceStep, StaffGuidance } from '../../session/staff-guidance';
import { ja } from './ja';

function stepLines(step: GuidanceStep): string[] {
  switch (step) {
    case 'mynaportal-or-notice-sheet-with-card':
      return [`① ${ja.guidanceMynaportal}`, `② ${ja.guidanceNoticeSheet}`];
    case 'past-visit-records':
      return [`③ ${ja.guidanceStep['past-visit-records']}`];
    case 'self-declaration-form':
      return [`④ ${ja.guidanceStep['self-declaration-form']}（${ja.guidanceSelfDeclarationForm}）`];
    default:
      return [`・${ja.guidanceStep[step]}`];
  }
}

export function causeText(cause: FailureCause): string {
  const c = ja.guidanceCause;
  switch (cause.kind) {
    case 'backend':
      return cause.detail === 'outcome-unknown' ? c['backend-outcome-unknown'] : c.backend;
    case 'card-read':
      return c['card-read'][cause.detail];
    case 'pin-locked':
      return cause.slot === 'smartphone' ? c['pin-locked-phone'] : c['pin-locked'];
    case 'qualification':
      return c.qualification[cause.detail];
    case 'card-data-refused':
      return cause.detail === 'forged' ? c['card-data-forged'] : c['card-data-cloned'];
    case 'consent-registration':
      return '';
    default:
      return c[cause.kind];
  }
}

/** The lines staff read, in the seeds' order: why, what to try, how to claim, what the patient does next. */
export function renderStaffGuidance(g: StaffGuidance): string[] {
  const lines = [ja.guidanceTitle, causeText(g.cause)];
  for (const step of g.steps) lines.push(...stepLines(step));
  lines.push(ja.guidanceFirstClaim, ja.guidanceClaimIntro);
  for (const r of g.claimRoutes) {
    if (r.route === 'A') lines.push(ja.guidanceClaim.A);
    else if (r.route === 'B') lines.push(ja.guidanceClaim.B + (r.lostQualification ? ja.guidanceClaim.BLost : ''));
    else lines.push(ja.guidanceClaim.C + (g.cause.kind === 'qualification' && g.cause.detail === 'no-record' ? ja.guidanceClaim.CUnknown : ''));
  }
  if (g.followUp) lines.push(ja.guidanceFollowUp[g.followUp]);
  return lines;
}
