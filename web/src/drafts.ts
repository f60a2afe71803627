// A typed reply lives in localStorage per ticket until it is sent: a reload, a crash or an
// expired session (401 → login page) does not lose it.
export interface LocalDraft {
  mode: 'answer' | 'note';
  body: string;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
}

const key = (ticketId: number) => `tm.draft.${ticketId}`;

export function readDraft(ticketId: number): LocalDraft | null {
  try {
    const raw = localStorage.getItem(key(ticketId));
    return raw ? (JSON.parse(raw) as LocalDraft) : null;
  } catch {
    return null;
  }
}

export function writeDraft(ticketId: number, d: LocalDraft): void {
  if (!d.body.trim()) localStorage.removeItem(key(ticketId));
  else localStorage.setItem(key(ticketId), JSON.stringify(d));
}

export function clearDraft(ticketId: number): void {
  localStorage.removeItem(key(ticketId));
}
