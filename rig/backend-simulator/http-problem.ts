/**
 * The simulator's typed refusal: an HTTP status and a protocol error code (src/backend/protocol.ts),
 * raised by the policy and domain modules and turned into an answer by the transport.
 */
import type { z } from 'zod';
import { issuePathOf, type ErrorCode } from '../../src/backend/protocol';

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function parseOr400<T extends z.ZodType>(schema: T, json: unknown): z.infer<T> {
  const r = schema.safeParse(json);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new HttpProblem(400, 'bad-request', `request invalid at ${issuePathOf(first?.path ?? [])} (${first?.code ?? 'invalid'})`);
  }
  return r.data;
}

/** The answer the transport sends (JSON, or the national result XML). */
export interface SimAnswer {
  status: number;
  body: unknown;
  xml?: string;
}

export function problemAnswer(err: HttpProblem): SimAnswer {
  return { status: err.status, body: { error: { code: err.code, message: err.message } } };
}
