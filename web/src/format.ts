// Dates from the API are "YYYY-MM-DD HH:MM:SS" in UTC (tickets) or unix seconds (conversations).
import { lang } from './i18n';

export function parseApiDate(v: string | number | null | undefined): Date | null {
  if (v == null || v === '') return null;
  if (typeof v === 'number') return new Date(v * 1000);
  const d = new Date(`${v.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatDate(v: string | number | null | undefined): string {
  const d = parseApiDate(v);
  return d ? d.toLocaleString(lang.get() === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' }) : '–';
}

export function isOverdue(v: string | null | undefined, status: string): boolean {
  const d = parseApiDate(v);
  return !!d && status !== 'closed' && d.getTime() < Date.now();
}

/** "YYYY-MM-DD HH:MM:SS" (UTC) → the value of a datetime-local input (local time). */
export function toLocalInput(v: string | null | undefined): string {
  const d = parseApiDate(v);
  if (!d) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A datetime-local value (local time) → the API's "YYYY-MM-DD HH:MM:SS" in UTC. */
export function fromLocalInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 19).replace('T', ' ');
}

export function formatBytes(n: number | null): string {
  if (n == null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
