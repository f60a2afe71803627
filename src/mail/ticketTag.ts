/**
 * The ticket tag in a mail subject, `[#123]`: replies carry it so that a customer's answer finds
 * its ticket even when their mail client dropped In-Reply-To and References. One module writes
 * and reads it, so the two cannot drift apart.
 */

/** The tag for a ticket id. */
export function ticketTag(ticketId: number): string {
  return `[#${ticketId}]`;
}

/** The subject with the ticket's tag, added once (a subject that already carries it is kept). */
export function subjectWithTag(subject: string, ticketId: number): string {
  const tag = ticketTag(ticketId);
  return subject.includes(tag) ? subject : `${subject.trimEnd()} ${tag}`.trimStart();
}

// Linear: a literal "[#", a bounded run of digits, "]". The subject is capped before it comes here.
const TAG = /\[#(\d{1,12})\]/g;
const MAX_SUBJECT_CHARS = 2000;

/** Every ticket id tagged in a subject, in order, without repeats (the caller checks they exist). */
export function ticketIdsInSubject(subject: string | null | undefined): number[] {
  if (!subject) return [];
  const ids: number[] = [];
  for (const m of subject.slice(0, MAX_SUBJECT_CHARS).matchAll(TAG)) {
    const id = Number(m[1]);
    if (Number.isSafeInteger(id) && id > 0 && !ids.includes(id)) ids.push(id);
  }
  return ids;
}
