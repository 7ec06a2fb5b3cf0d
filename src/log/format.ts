/** Text forms of a log record: the rig log and a terminal read `time LEVEL [namespace] message key=value …`. */

export type LogFieldText = string | number | boolean | null;

/** ` key=value` for each field; values with spaces, quotes or `=` are JSON-quoted so a line stays one record. */
export function formatFields(fields: Readonly<Record<string, LogFieldText | undefined>>): string {
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = String(value);
    out += ` ${key}=${text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
  }
  return out;
}
