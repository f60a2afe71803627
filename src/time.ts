import { Invalid } from './errors.js';

// Enneo sends dates as "YYYY-MM-DD HH:MM:SS" (UTC), as Unix seconds, and as ISO 8601; we store
// Unix seconds and answer tickets with the Enneo string, conversations with seconds.

const ENNEO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Parses a date input into Unix seconds, or throws Invalid naming the field. */
export function parseDateInput(value: unknown, field: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0 && value < 1e11) return Math.floor(value);
    throw new Invalid(field, 'a Unix timestamp must be seconds between 1970 and 5138', 'invalid_date');
  }
  if (typeof value !== 'string') throw new Invalid(field, 'expected a date', 'invalid_date');
  const s = value.trim();
  if (/^\d{1,11}$/.test(s)) return Number(s);
  const m = ENNEO_DATE.exec(s);
  if (m) {
    const [y, mo, d, h = '0', mi = '0', se = '0'] = m.slice(1).map((x) => x ?? '0') as string[];
    const ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +se);
    const back = new Date(ms);
    // Date.UTC rolls 2024-02-30 over into March; a date that does not survive the round trip is invalid.
    if (back.getUTCMonth() !== +mo! - 1 || back.getUTCDate() !== +d! || +h > 23 || +mi > 59 || +se > 59) {
      throw new Invalid(field, `"${value}" is not a valid calendar date`, 'invalid_date');
    }
    return notBefore1970(ms, value, field);
  }
  if (ISO_DATE.test(s)) {
    // Date.parse also rolls 2024-02-30 over into March: the calendar part must be a real date.
    const [y, mo, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
    const day = new Date(Date.UTC(y, mo - 1, d));
    const zoned = /Z|[+-]\d{2}:?\d{2}$/.test(s) ? s : `${s}Z`;
    const ms = Date.parse(zoned);
    if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d || !Number.isFinite(ms)) {
      throw new Invalid(field, `"${value}" is not a valid calendar date`, 'invalid_date');
    }
    return notBefore1970(ms, value, field);
  }
  throw new Invalid(field, `"${value}" is not a date; use "YYYY-MM-DD HH:MM:SS" (UTC), Unix seconds or ISO 8601`, 'invalid_date');
}

// Stored as unsigned Unix seconds, like the numeric form: a negative instant is refused, not stored.
function notBefore1970(ms: number, value: unknown, field: string): number {
  if (ms < 0) throw new Invalid(field, `"${String(value)}" lies before 1970`, 'invalid_date');
  return Math.floor(ms / 1000);
}

/** Unix seconds → Enneo's "YYYY-MM-DD HH:MM:SS" in UTC. */
export function formatEnneoDate(seconds: number | null): string | null {
  if (seconds === null) return null;
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
