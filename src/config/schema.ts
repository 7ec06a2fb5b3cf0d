/**
 * ONE schema for the facility/device configuration (STYLE §11, issue 4 §1 "one validated
 * schema"). Every field has a default where a safe one exists; the facility name, the staff
 * passcode hash, the backend address and the reader names have none (the rig's own configuration
 * is `rig/rig-config.ts`). Secrets are kept
 * apart: the file holds only a salted scrypt hash of the staff passcode and *paths* to TLS files.
 */
import { z } from 'zod';
import { faceSettingsSchema } from '../face/settings-schema';
import { CONFIG_VERSION } from './migrations';

const ms = (def: number, what: string) =>
  z.number().int().min(1_000).max(3_600_000).default(def).describe(`${what} (ms)`);

export const staffPasscodeHashSchema = z
  .strictObject({
    algorithm: z.literal('scrypt'),
    /** hex, at least 16 bytes */
    salt: z.string().regex(/^[0-9a-f]{32,}$/, 'hex string of at least 16 bytes'),
    /** hex */
    hash: z.string().regex(/^[0-9a-f]{32,}$/, 'hex string of at least 16 bytes'),
    N: z.number().int().min(16384, 'at least 16384, the device minimum (re-hash with `fcr config hash-passcode`)').max(1 << 20).refine((n) => (n & (n - 1)) === 0, 'power of two'),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
  })
  .describe('salted scrypt hash of the 4-digit 目視確認用パスコード (SPEC §3.1); never the passcode itself');

/**
 * The backend is reached only over mutual TLS (docs/backend-protocol.md): plain `http:` would send
 * the card holder's qualification query in the clear, so the file is refused before start-up
 * rather than the client refusing it later (InsecureTransportError stays as the second guard).
 */
const backendUrl = z.string().superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `not a URL: ${JSON.stringify(text)}` });
    return;
  }
  if (url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `must be https: (the backend is reached over mutual TLS only), got ${url.protocol}` });
  else if (!url.hostname) ctx.addIssue({ code: 'custom', message: 'has no host' });
});

export const facilityConfigSchema = z.strictObject({
  /** The file format's version (./migrations.ts); older files are migrated before this parse. */
  version: z.literal(CONFIG_VERSION),
  facility: z.strictObject({
    /** Shown at the top of every screen (SPEC §3). */
    name: z.string().trim().min(1).max(40),
    /** 医療機関コード: 10 digits (2 prefecture + 1 point table + 7 facility). */
    code: z.string().regex(/^\d{10}$/, '10 digits'),
  }),
  /** SPEC §2: `standard` = kind ①; `qualification-only` = kind ③ (no face, no consent screens). */
  mode: z.enum(['standard', 'qualification-only']).default('standard'),
  /**
   * Kind ③ (seed 004): staff choose the identity check on the 認証選択 screen — A 目視確認 or B the
   * patient's 4-digit PIN. `visual` / `pin`: the method set in the settings menu (「本人確認の認証方法A、Bは
   * 設定メニューから切り替え可能」) is started at once; 認証選択 stays reachable by cancelling it.
   */
  qualificationOnly: z
    .strictObject({
      authentication: z.enum(['ask', 'visual', 'pin']).default('ask'),
    })
    .prefault({}),
  consent: z
    .strictObject({
      /** SPEC §6 step 5: categories the facility acquires; the others are never asked. */
      acquired: z
        .strictObject({
          surgery: z.boolean().default(true),
          clinical: z.boolean().default(true),
          medication: z.boolean().default(true),
          checkup: z.boolean().default(true),
        })
        .prefault({}),
      /** 傷病名等の閲覧について設定済: `手術・傷病名・感染症` instead of `手術` (SPEC §6). */
      diagnosisViewing: z.boolean().default(true),
      /** 電子カルテ情報共有サービス導入済: ask for referral letters (SPEC §6 step 4). */
      referralLetters: z.boolean().default(false),
      /** Letters per page on the referral screen. */
      referralLettersPerPage: z.number().int().min(1).max(6).default(3),
      /** The pre-2024-10-07 限度額 consent screen (SPEC §6 step 6); off by default. */
      legacyLimitScreen: z.boolean().default(false),
    })
    .prefault({}),
  timeouts: z
    .strictObject({
      /** Any screen waiting on the patient (SPEC §3: every waiting screen times out). */
      screenMs: ms(60_000, 'patient screens'),
      pinMs: ms(60_000, 'PIN and passcode entry'),
      faceMs: ms(20_000, 'one face attempt'),
      readMs: ms(15_000, 'card read'),
      deviceMs: ms(15_000, 'PIN verification on the card'),
      backendMs: ms(30_000, 'eligibility backend request'),
      doneMs: ms(10_000, 'done screen before the card-left reminder starts'),
      cardLeftReminderMs: ms(5_000, 'interval of the card-left reminder'),
      counterMs: ms(30_000, 'stop and counter screens'),
      /** A smartphone session's result screen once the phone has left the reader (issue 11 item 6). */
      phoneGoneMs: ms(2_000, 'result screen after the phone is gone'),
    })
    .prefault({}),
  retries: z
    .strictObject({
      /** Face attempts before offering PIN / staff (SPEC §3 step 4). */
      face: z.number().int().min(1).max(10).default(3),
    })
    .prefault({}),
  staff: z.strictObject({
    passcode: staffPasscodeHashSchema,
    /** Wrong passcodes before the lockout (SPEC §3.1). */
    maxFailures: z.number().int().min(1).max(20).default(5),
    lockoutMs: z.number().int().min(1_000).max(86_400_000).default(300_000),
    /** Delay after a wrong passcode, doubled each time (rate limit). */
    backoffMs: z.number().int().min(0).max(60_000).default(1_000),
    /** Language of the staff screens (patients always get Japanese, SPEC §3). */
    language: z.enum(['ja', 'en']).default('ja'),
  }),
  /**
   * PC/SC reader names (substring match) for the card tray and the smartphone reader. No default:
   * the names depend on the board's reader hardware, and a guessed name would leave the device
   * waiting on a reader that never comes (the rig names its vpcd slots in rig/rig-config.ts).
   */
  readers: z.strictObject({
    card: z.string().min(1),
    smartphone: z.string().min(1),
  }),
  /** Face authentication: camera, descriptor, thresholds, attempt budget (src/face/settings.ts). */
  face: faceSettingsSchema.prefault({}),
  /** The card-face scan (SPEC §5.1, issue 7): the camera over the card tray, and the issuer trust anchors. */
  cardFace: z
    .strictObject({
      trayCamera: z
        .strictObject({
          device: z.string().min(1).default('/dev/video1'),
          width: z.number().int().min(320).max(3840).default(1280),
          height: z.number().int().min(240).max(2160).default(960),
        })
        .prefault({}),
      /**
       * Keys that certify card-face issuers (J-LIS): without one, face authentication is not
       * offered (the photo's authenticity cannot be checked). The rig brings its own test anchor.
       */
      trustAnchors: z
        .array(z.strictObject({ label: z.string().min(1), keyId: z.string().regex(/^[0-9a-fA-F]{2,64}$/), publicKeyFile: z.string().min(1) }))
        .default([]),
    })
    .prefault({}),
  backend: z.strictObject({
    url: backendUrl,
    /** The id the backend knows this reader by (its TLS certificate's subject). */
    deviceId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).default('fcr-reader-01'),
    tls: z
      .strictObject({
        caFile: z.string().min(1).optional(),
        certFile: z.string().min(1).optional(),
        keyFile: z.string().min(1).optional(),
      })
      .prefault({}),
  }),
  /**
   * Result files for the reception computer (issue 15, docs/backend-protocol.md): each finished
   * session as a national result document (OQSsiquc01res_….xml). Absent folder: no files.
   */
  reception: z
    .strictObject({
      /** The folder the receipt software watches (device: a share mounted by systemd; rig: `.rig/reception/`). */
      resultFolder: z.string().min(1).optional(),
      /** CharacterCodeIdentifier 0 (UTF-8) or 1 (Shift_JIS): what the receipt software reads. */
      resultEncoding: z.enum(['utf-8', 'shift_jis']).default('utf-8'),
    })
    .prefault({}),
  touch: z
    .strictObject({
      /** The USB HID touch controller (absent: mouse/keys only, as on the rig). */
      device: z
        .strictObject({
          vendorId: z.number().int().min(0).max(0xffff),
          productId: z.number().int().min(0).max(0xffff),
          reportId: z.number().int().min(0).max(255).default(1),
        })
        .optional(),
      /** Raw HID digitizer range mapped onto the panel (issue 4 §2). */
      calibration: z
        .strictObject({
          minX: z.number().int().default(0),
          maxX: z.number().int().default(4095),
          minY: z.number().int().default(0),
          maxY: z.number().int().default(4095),
          swapXY: z.boolean().default(false),
          invertX: z.boolean().default(false),
          invertY: z.boolean().default(false),
        })
        .prefault({})
        .refine((c) => c.maxX > c.minX && c.maxY > c.minY, 'max must exceed min'),
    })
    .prefault({}),
  /** The technician console on the board's UART (SPEC §1); absent: no console. */
  console: z
    .strictObject({
      path: z.string().min(1),
      baudRate: z.number().int().min(1200).max(921600).default(115200),
    })
    .optional(),
  /**
   * The fleet metrics endpoint (issue 17): Prometheus text format at `http://HOST:PORT/metrics`,
   * counts and device states only (SPEC §9). Off unless enabled; bound to loopback unless the
   * facility names the address its monitoring network reaches. Port 0: an ephemeral port (rig).
   */
  metrics: z
    .strictObject({
      enabled: z.boolean().default(false),
      host: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
      port: z.number().int().min(0).max(65_535).default(9464),
    })
    .prefault({}),
  /**
   * Where the durable device state (passcode lockout, SPEC §9 counters; never personal data) is
   * kept; absent: systemd's `$STATE_DIRECTORY` (the unit's `StateDirectory=`).
   */
  stateDirectory: z.string().min(1).optional(),
});

export type FacilityConfig = z.infer<typeof facilityConfigSchema>;
export type FacilityConfigInput = z.input<typeof facilityConfigSchema>;
