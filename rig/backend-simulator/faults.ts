/**
 * Fault injection for the simulator (issue 3 §3): per request, settable at start (`--fault`) and
 * at run time (in-process, or `POST /_sim/faults` on the loopback admin port).
 *
 * A rule fires for the next `times` matching requests (or always). `tls-failure` acts on the next
 * TLS handshake (the server presents a certificate from a CA the client does not pin), before any
 * path is known, so it ignores `path`.
 */
import { z } from 'zod';

export const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('latency'), ms: z.number().int().min(0).max(120_000) }),
  z.strictObject({ kind: z.literal('http-5xx'), status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(503) }),
  /** The real answer is computed (side effects happen), then a truncated JSON body is sent. */
  z.strictObject({ kind: z.literal('malformed-body') }),
  /** The real answer is computed, then a field is broken so it fails the schema. */
  z.strictObject({ kind: z.literal('schema-violation') }),
  /** `after` = the request was processed, the answer is lost (exercises idempotent replay). */
  z.strictObject({ kind: z.literal('connection-reset'), when: z.enum(['before', 'after']).default('after') }),
  /** The body is sent `bytes` at a time every `intervalMs` (a stalled link). */
  z.strictObject({
    kind: z.literal('slow-drip'),
    bytes: z.number().int().min(1).max(4096).default(1),
    intervalMs: z.number().int().min(1).max(10_000).default(200),
  }),
  z.strictObject({ kind: z.literal('tls-failure') }),
  /** The answer's body replaced by this text (status kept unless given): for schema tests. */
  z.strictObject({ kind: z.literal('replace-body'), text: z.string().max(65_536), status: z.number().int().min(200).max(599).optional() }),
]);
export type Fault = z.infer<typeof faultSchema>;
export type FaultKind = Fault['kind'];

export const faultRuleSchema = z.strictObject({
  fault: faultSchema,
  /** How many matching requests it hits; `always` until cleared. */
  times: z.union([z.number().int().positive(), z.literal('always')]).default(1),
  /** Only requests whose path starts with this (e.g. `/v1/confirmations`). */
  path: z.string().startsWith('/').optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultRuleInput = z.input<typeof faultRuleSchema>;

export const faultCommandSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(120_000).optional(),
  clear: z.boolean().optional(),
  inject: z.array(faultRuleSchema).optional(),
});
export type FaultCommand = z.input<typeof faultCommandSchema>;

export class FaultController {
  private rules: { rule: FaultRule; left: number | 'always' }[] = [];
  /** Added to every request (the `--latency` of `fcr backend-sim`). */
  latencyMs = 0;

  inject(input: FaultRuleInput | Fault): void {
    const rule = faultRuleSchema.parse('kind' in input ? { fault: input } : input);
    this.rules.push({ rule, left: rule.times });
  }

  clear(): void {
    this.rules = [];
  }

  apply(command: FaultCommand): void {
    const c = faultCommandSchema.parse(command);
    if (c.clear) this.clear();
    if (c.latencyMs !== undefined) this.latencyMs = c.latencyMs;
    for (const r of c.inject ?? []) this.inject(r);
  }

  state(): { latencyMs: number; rules: { fault: Fault; left: number | 'always'; path?: string }[] } {
    return {
      latencyMs: this.latencyMs,
      rules: this.rules.map((r) => ({ fault: r.rule.fault, left: r.left, ...(r.rule.path ? { path: r.rule.path } : {}) })),
    };
  }

  /** Consumes and returns the HTTP-level faults for one request. */
  takeForRequest(path: string): Fault[] {
    return this.take((r) => r.fault.kind !== 'tls-failure' && (r.path === undefined || path.startsWith(r.path)));
  }

  /** True (and consumed) when the next handshake must fail. */
  takeTlsFailure(): boolean {
    return this.take((r) => r.fault.kind === 'tls-failure').length > 0;
  }

  private take(match: (r: FaultRule) => boolean): Fault[] {
    const out: Fault[] = [];
    for (const entry of this.rules) {
      if (!match(entry.rule)) continue;
      out.push(entry.rule.fault);
      if (entry.left !== 'always') entry.left -= 1;
    }
    this.rules = this.rules.filter((e) => e.left === 'always' || e.left > 0);
    return out;
  }
}

/** `--fault` syntax: `kind[:arg][@path][*times]`, e.g. `http-5xx:502*2`, `latency:500`, `slow-drip:50@/v1/confirmations`. */
export function parseFaultSpec(spec: string): FaultRuleInput {
  const m = /^([a-z0-9-]+)(?::([0-9a-z]+))?(?:@(\/[^*]*))?(?:\*([0-9]+|always))?$/.exec(spec);
  if (!m) throw new Error(`bad --fault ${JSON.stringify(spec)}: expected kind[:arg][@path][*times]`);
  const [, kind, arg, path, times] = m;
  const fault: Record<string, unknown> = { kind };
  if (arg !== undefined) {
    if (kind === 'latency') fault.ms = Number(arg);
    else if (kind === 'http-5xx') fault.status = Number(arg);
    else if (kind === 'slow-drip') fault.intervalMs = Number(arg);
    else if (kind === 'connection-reset') fault.when = arg;
    else throw new Error(`--fault ${kind} takes no argument`);
  }
  return faultRuleSchema.parse({
    fault,
    ...(path ? { path } : {}),
    ...(times ? { times: times === 'always' ? 'always' : Number(times) } : {}),
  });
}
