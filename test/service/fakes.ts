/** Fake ports for the reader service's tests: record calls, answer what the test says. */
import type { CardPort, CardPresenceEvent, FacePort, QualificationPort, StaffPasscodePort, CardReadOutcome, PinOutcome, QueryOutcome, FaceMatchOutcome, FaceFlashPanel } from '../../src/service/ports';
import type { CardReadInfo, FaceHint, QualificationResult } from '../../src/session/events';
import type { Secret } from '../../src/log/secret';

export const validCard: CardReadInfo = {
  certificateStatus: 'valid',
  revoked: false,
  pinSet: true,
  pinTriesLeft: 3,
  registeredForInsurance: true,
  cardFaceAvailable: true,
};

export const qualified: QualificationResult = { status: 'qualified', patientName: '山田　太郎', referralLetters: [] };

export class FakeCard implements CardPort {
  calls: string[] = [];
  wipes = 0;
  private listeners = new Set<(e: CardPresenceEvent) => void>();
  readAnswer: () => Promise<CardReadOutcome> = async () => ({ ok: true, card: validCard });
  pinAnswer: (pin: string) => Promise<PinOutcome> = async (pin) => (pin === '1234' ? { kind: 'verified' } : { kind: 'wrong', triesLeft: 2 });
  onPresence(l: (e: CardPresenceEvent) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  present(e: CardPresenceEvent) {
    for (const l of this.listeners) l(e);
  }
  read() {
    this.calls.push('read');
    return this.readAnswer();
  }
  verifyPin(_slot: string, pin: Secret<string>) {
    this.calls.push(`verify ${pin.reveal().length}`);
    return this.pinAnswer(pin.reveal());
  }
  wipe() {
    this.wipes++;
  }
}

export class FakeBackend implements QualificationPort {
  calls: string[] = [];
  answer: () => Promise<QueryOutcome> = async () => ({ ok: true, result: qualified });
  up = true;
  query(q: { method: string }) {
    this.calls.push(`query ${q.method}`);
    return this.answer();
  }
  async registerConsent() {
    this.calls.push('consent');
    return { ok: true as const };
  }
  async registerInsuranceUse() {
    this.calls.push('register');
    return { ok: true as const };
  }
  available() {
    return this.up;
  }
  wipe() {}
}

export class FakeFace implements FacePort {
  /** `onHint` / `panel` are what the service passed for this attempt: a test calls them to play a hint or a colour flash mid-burst. */
  answer: (onHint?: (hint: FaceHint) => void, panel?: FaceFlashPanel) => Promise<FaceMatchOutcome> = async () => ({ outcome: 'match' });
  cameraOn = false;
  async startCamera() {
    this.cameraOn = true;
    return { ok: true };
  }
  async stopCamera() {
    this.cameraOn = false;
  }
  match(onHint?: (hint: FaceHint) => void, panel?: FaceFlashPanel) {
    return this.answer(onHint, panel);
  }
  wipe() {}
}

export const staffPasscode: StaffPasscodePort = { check: async (p) => p.reveal() === '1234' };
