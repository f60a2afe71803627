import { Invalid } from '../errors.js';
import { parseDateInput } from '../time.js';

// Date values of search filters as Enneo's tooling writes them: everything parseDateInput takes
// (`YYYY-MM-DD[ HH:MM:SS]` UTC, Unix seconds, ISO 8601) plus `CURRENT_DATE` (today 00:00 UTC),
// `CURRENT_TIME` (now) and an offset from now such as `-7 DAY` or `-4 HOUR` (MySQL's interval
// units, singular or plural). All in UTC, the time zone everything is stored in.

const RELATIVE = /^([+-]?\d{1,7}) *(SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|YEAR)S?$/i;
const UNIT_SECONDS: Record<string, number> = { SECOND: 1, MINUTE: 60, HOUR: 3600, DAY: 86400, WEEK: 604800 };
/** Unix seconds accepted as a result: 1970 up to parseDateInput's own upper bound. */
const MAX_SECONDS = 1e11;

export function parseFilterDate(value: unknown, field: string, now: number): number {
  if (typeof value !== 'string') return parseDateInput(value, field);
  const s = value.trim();
  const upper = s.toUpperCase();
  if (upper === 'CURRENT_TIME' || upper === 'CURRENT_TIMESTAMP' || upper === 'NOW()') return now;
  if (upper === 'CURRENT_DATE') return now - (now % 86400);
  const m = RELATIVE.exec(s);
  if (!m) return parseDateInput(value, field);
  const n = Number(m[1]);
  const unit = m[2]!.toUpperCase();
  let result: number;
  if (unit === 'MONTH' || unit === 'YEAR') {
    // Calendar arithmetic: "-1 MONTH" on 31 March is the last of February, as in MySQL.
    const d = new Date(now * 1000);
    const months = unit === 'YEAR' ? n * 12 : n;
    const day = d.getUTCDate();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + months);
    const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    d.setUTCDate(Math.min(day, last));
    result = Math.floor(d.getTime() / 1000);
  } else {
    result = now + n * UNIT_SECONDS[unit]!;
  }
  if (!Number.isFinite(result) || result < 0 || result >= MAX_SECONDS) {
    throw new Invalid(field, `"${s}" lies outside 1970 to 5138`, 'invalid_date');
  }
  return result;
}
