// Every call to the service goes through here: same-origin JSON with the session cookie. A 401
// means the session is gone: the app shows the login page (drafts stay in localStorage) and
// returns to where the agent was.
import { signal } from './signal';

export interface Profile { id: number; email: string; name: string; role: string; permissions: string[] }

/** The logged-in agent; null when logged out, undefined while the first check runs. */
export const session = signal<Profile | null | undefined>(undefined);
/** True when a call found the session expired (not a plain logout). */
export const sessionExpired = signal(false);

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) {
    super(message);
  }
}

export async function api<T = any>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    if (res.status === 401 && url !== '/api/auth/login') {
      sessionExpired.set(session.get() != null);
      session.set(null);
    }
    const e = json?.error ?? {};
    throw new ApiError(res.status, e.code ?? 'http_error', e.message ?? `${res.status} ${res.statusText}`, e.field);
  }
  return json as T;
}

export async function login(email: string, password: string): Promise<void> {
  const r = await api<{ profile: Profile }>('POST', '/api/auth/login', { email, password });
  sessionExpired.set(false);
  session.set(r.profile);
}

export async function logout(): Promise<void> {
  await api('POST', '/api/auth/logout', {}).catch(() => undefined);
  sessionExpired.set(false);
  session.set(null);
}

export async function loadSession(): Promise<void> {
  try {
    const p = await api<Profile & { success: boolean }>('GET', '/api/mind/profile');
    session.set(p);
  } catch {
    session.set(null);
  }
}

/** A File as base64 without the data: prefix, for `attachments: [{name, base64}]`. */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}
