// When a gated execution runs: AUTOMATION_DELAY_SECONDS after the gate (a customer who writes
// twice in a minute is then seen as a follow-up first), moved into the next business-hours window
// (AUTOMATION_BUSINESS_HOURS, e.g. "1-5 08:00-18:00": ISO weekdays Monday = 1, local times in
// AUTOMATION_TIMEZONE). Empty hours = any time.

export interface BusinessHours { days: Set<number>; start: number; end: number }

export function parseBusinessHours(spec: string): BusinessHours | null {
  const s = spec.trim();
  if (!s) return null;
  const m = /^([1-7])-([1-7]) ([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/.exec(s);
  if (!m) throw new Error(`AUTOMATION_BUSINESS_HOURS: "${spec}" is not "<first weekday>-<last weekday> HH:MM-HH:MM", e.g. "1-5 08:00-18:00"`);
  const [from, to] = [Number(m[1]), Number(m[2])];
  const start = Number(m[3]) * 60 + Number(m[4]);
  const end = Number(m[5]) * 60 + Number(m[6]);
  if (from > to || start >= end) throw new Error(`AUTOMATION_BUSINESS_HOURS: "${spec}" is an empty window`);
  const days = new Set<number>();
  for (let d = from; d <= to; d++) days.add(d);
  return { days, start, end };
}

const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function local(ms: number, timeZone: string): { weekday: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '0';
  return { weekday: WEEKDAY[get('weekday')] ?? 1, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** The first moment at or after `earliestMs` inside the window (to the minute). */
export function nextRunAt(earliestMs: number, hours: BusinessHours | null, timeZone: string): number {
  if (!hours) return earliestMs;
  const now = local(earliestMs, timeZone);
  if (hours.days.has(now.weekday) && now.minute >= hours.start && now.minute < hours.end) return earliestMs;
  const base = earliestMs - (earliestMs % 60_000);
  for (let d = 0; d <= 7; d++) {
    const weekday = ((now.weekday - 1 + d) % 7) + 1;
    if (!hours.days.has(weekday) || (d === 0 && now.minute >= hours.start)) continue;
    let at = base + (d * 1440 + hours.start - now.minute) * 60_000;
    // A daylight-saving change in between shifts local time by the difference: correct once.
    const got = local(at, timeZone);
    at += (hours.start - got.minute) * 60_000;
    return at;
  }
  return earliestMs;
}

/** Fails at start on a bad AUTOMATION_BUSINESS_HOURS or AUTOMATION_TIMEZONE, not on the first customer mail. */
export function checkScheduleConfig(config: { AUTOMATION_BUSINESS_HOURS: string; AUTOMATION_TIMEZONE: string }): void {
  parseBusinessHours(config.AUTOMATION_BUSINESS_HOURS);
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: config.AUTOMATION_TIMEZONE });
  } catch {
    throw new Error(`AUTOMATION_TIMEZONE: "${config.AUTOMATION_TIMEZONE}" is not an IANA time zone such as Europe/Berlin`);
  }
}
