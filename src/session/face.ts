/**
 * The face step (SPEC §3 step 4, §5.1): the camera runs while the face screen is up (`Step.go`
 * starts and stops it), bounded attempts with one hint each, then the PIN or the staff check.
 */
import type { FaceHint, FaceOutcome, SessionEvent } from './events';
import { identified } from './flow';
import { BUTTON, type ButtonId } from './screen';
import type { Phase } from './state';
import type { Step } from './step';

type PhaseOf<N extends Phase['name']> = Extract<Phase, { name: N }>;

/** 顔認証を行う: the first attempt. */
export function startFace(t: Step): void {
  t.data.faceAttempts = 0;
  t.go({ name: 'face', attempt: 1 });
  t.emit({ type: 'start-face-match' });
}

/** One attempt failed: again with the matcher's hint while attempts are left, else face-failed. */
export function faceFailed(t: Step, outcome: FaceOutcome, hint: FaceHint | undefined): void {
  if (t.phase.name !== 'face') return;
  t.data.faceAttempts += 1;
  t.log('info', 'face-attempt-failed', { outcome, attempt: t.data.faceAttempts });
  if (t.data.faceAttempts < t.config.retries.face) {
    t.go(hint ? { name: 'face', attempt: t.data.faceAttempts + 1, hint } : { name: 'face', attempt: t.data.faceAttempts + 1 });
    t.emit({ type: 'start-face-match' });
  } else {
    t.go({ name: 'face-failed', reason: 'no-match' });
  }
}

export function onFaceResult(t: Step, event: Extract<SessionEvent, { type: 'face-result' }>): void {
  // A late answer of an attempt that was overtaken (the camera failed first, the patient
  // cancelled): the flow has moved on, so it is dropped, not treated as an impossible event.
  if (t.phase.name !== 'face') {
    t.log('debug', 'late-event', { phase: t.phase.name, event: event.type });
    return;
  }
  if (event.outcome === 'match') identified(t, 'face');
  else if (event.outcome === 'card-photo-unavailable') t.go({ name: 'face-failed', reason: 'card-photo' });
  // Forged or cloned card data (SPEC §5.1): no PIN or visual check on a suspect card; staff are told why.
  else if (event.outcome === 'card-data-forged' || event.outcome === 'card-data-cloned') {
    t.log('warn', 'card-data-refused', { detail: event.outcome });
    t.toCounter({ kind: 'card-data-refused', detail: event.outcome === 'card-data-forged' ? 'forged' : 'cloned' });
  }
  else faceFailed(t, event.outcome, event.hint);
}

/**
 * A hint while the attempt runs (issue 14: the burst guides — もう少し近づいてください, マスクを外して
 * ください, the head-turn challenge's 左を向いてください — instead of rejecting): the face screen shows it
 * at once; the attempt, its number and the screen's timer stay as they are.
 */
export function onFaceHint(t: Step, event: Extract<SessionEvent, { type: 'face-hint' }>): void {
  const phase = t.phase;
  if (phase.name !== 'face') {
    t.log('debug', 'late-event', { phase: phase.name, event: event.type });
    return;
  }
  if (phase.hint === event.hint) return;
  t.state.phase = { ...phase, hint: event.hint };
  t.redraw();
}

/**
 * The attempt's colour flash (issue 14, docs/face.md "Colour flash"): the face screen is drawn on a
 * panel lit in that colour (or back to normal), the attempt, its hint and the screen's timer stay.
 * Anywhere but the face screen the request is dropped: the panel never flashes over another
 * screen, and the attempt, which checks what the panel shows, then does not judge the frames.
 */
export function onFaceFlash(t: Step, event: Extract<SessionEvent, { type: 'face-flash' }>): void {
  const phase = t.phase;
  if (phase.name !== 'face') {
    t.log('debug', 'late-event', { phase: phase.name, event: event.type });
    return;
  }
  if (phase.flash === event.colour) return;
  const { flash: _previous, ...rest } = phase;
  t.state.phase = event.colour ? { ...rest, flash: event.colour } : rest;
  t.redraw();
}

/** The camera failed: on the face screen the attempt ends; elsewhere face is no longer offered. */
export function onCameraFailed(t: Step): void {
  const phase = t.phase;
  if (phase.name !== 'face') {
    t.log('info', 'camera-failed', { phase: phase.name });
    if (t.data.card) t.data.cameraFailed = true;
    if (phase.name === 'method') t.go({ name: 'method' });
    return;
  }
  t.data.cameraFailed = true;
  t.log('warn', 'camera-failed', { phase: phase.name });
  t.go({ name: 'face-failed', reason: 'camera' });
}

export const faceButtons: { face: (t: Step, phase: PhaseOf<'face'>, id: ButtonId) => void } = {
  face: (t, _phase, id) => {
    if (id === BUTTON.faceCancel) t.go({ name: 'method' });
  },
};
