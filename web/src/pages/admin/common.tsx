import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api';

// What the admin pages share: loading a table, and a status line for each form.

export type Msg = { kind: 'ok' | 'error'; text: string } | null;

export const errText = (err: unknown) => (err instanceof ApiError ? `${err.message}${err.field ? ` (${err.field})` : ''}` : String(err));

/** Loads once (and again when deps change); `reload` after a change. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = () => fn().then((d) => { setData(d); setError(null); }, (e) => setError(errText(e)));
  useEffect(() => { void reload(); }, deps);
  return { data, error, reload };
}

export function Status({ msg }: { msg: Msg }) {
  return msg ? <p class={msg.kind} role={msg.kind === 'error' ? 'alert' : 'status'}>{msg.text}</p> : null;
}
