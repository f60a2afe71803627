import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, fileToBase64 } from '../api';
import { t } from '../i18n';
import { clearDraft, readDraft, writeDraft, type LocalDraft } from '../drafts';
import type { Conversation, Ticket } from '../types';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** The textarea's text as HTML paragraphs (escaped: the agent's text is text). */
export const textToHtml = (s: string) => s.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('');
const list = (s: string) => s.split(/[,;]/).map((x) => x.trim()).filter(Boolean);

export function ReplyBox({ ticket, suggestion, onSent }: { ticket: Ticket; suggestion: string | null; onSent: (c: Conversation | null) => void }) {
  const initial: LocalDraft = readDraft(ticket.id) ?? { mode: 'answer', body: '', to: ticket.from ?? '', cc: '', bcc: '', subject: ticket.subject ? `Re: ${ticket.subject.replace(/^re:\s*/i, '')}` : '' };
  const [d, setD] = useState<LocalDraft>(initial);
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ kind: 'error' | 'ok'; text: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const change = (patch: Partial<LocalDraft>) => {
    const next = { ...d, ...patch };
    setD(next);
    writeDraft(ticket.id, next);
  };
  useEffect(() => writeDraft(ticket.id, d), []);

  const attachments = () => Promise.all(files.map(async (f) => ({ name: f.name, base64: await fileToBase64(f) })));

  const submit = async (isDraft: boolean) => {
    if (!d.body.trim()) return;
    setBusy(true);
    setMsg(null);
    try {
      const atts = await attachments();
      let conversation: Conversation | null = null;
      if (d.mode === 'note') {
        // A private note is an internal message of the ticket: nothing is sent, no AI runs on it.
        const r = await api<{ conversation: Conversation }>('POST', `/api/mind/ticket/${ticket.id}/conversation/store?process=false`, {
          direction: 'internal', private: true, type: 'html', body: textToHtml(d.body), ...(atts.length ? { attachments: atts } : {}),
        });
        conversation = r.conversation;
      } else {
        const r = await api<{ success: boolean; conversation: Conversation }>('POST', `/api/mind/ticket/${ticket.id}/conversation/reply`, {
          body: textToHtml(d.body), to: list(d.to), cc: list(d.cc), bcc: list(d.bcc), subject: d.subject,
          attachments: atts, isDraft, private: false, ...(ticket.subchannelId ? { subchannelId: ticket.subchannelId } : {}),
        });
        conversation = r.conversation;
      }
      clearDraft(ticket.id);
      setD({ ...d, body: '' });
      setFiles([]);
      if (fileInput.current) fileInput.current.value = '';
      setMsg({ kind: 'ok', text: conversation?.deliveryStatus ? `${t('deliveryStatus')}: ${t(`delivery_${conversation.deliveryStatus}`)}` : t('saved') });
      onSent(conversation);
    } catch (err) {
      // The typed text stays (state and localStorage) whatever went wrong.
      const text = err instanceof ApiError && err.status === 404 && d.mode === 'answer' ? t('replyUnavailable') : err instanceof Error ? err.message : String(err);
      setMsg({ kind: 'error', text });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="reply" aria-labelledby="reply-title" onSubmit={(e) => { e.preventDefault(); void submit(false); }}>
      <h2 id="reply-title">{t('reply')}</h2>
      <fieldset class="mode">
        <legend class="visually-hidden">{t('reply')}</legend>
        <label><input type="radio" name="mode" value="answer" checked={d.mode === 'answer'} onChange={() => change({ mode: 'answer' })} /> {t('answer')}</label>
        <label><input type="radio" name="mode" value="note" checked={d.mode === 'note'} onChange={() => change({ mode: 'note' })} /> {t('note')}</label>
      </fieldset>
      {d.mode === 'answer' && (
        <div class="addresses">
          <label>{t('to')}<input name="to" value={d.to} onInput={(e) => change({ to: e.currentTarget.value })} /></label>
          <label>{t('cc')}<input name="cc" value={d.cc} onInput={(e) => change({ cc: e.currentTarget.value })} /></label>
          <label>{t('bcc')}<input name="bcc" value={d.bcc} onInput={(e) => change({ bcc: e.currentTarget.value })} /></label>
          <label>{t('subject')}<input name="subject" value={d.subject} onInput={(e) => change({ subject: e.currentTarget.value })} /></label>
        </div>
      )}
      <label class="body-label">
        {t('replyBody')}
        <textarea id="reply-body" name="body" rows={6} value={d.body} onInput={(e) => change({ body: e.currentTarget.value })} />
      </label>
      {suggestion && !d.body && d.mode === 'answer' && (
        <button type="button" class="link" onClick={() => change({ body: suggestion })}>{t('useSuggestion')}</button>
      )}
      <label>
        {t('addAttachments')}
        <input ref={fileInput} type="file" multiple onChange={(e) => setFiles([...(e.currentTarget.files ?? [])])} />
      </label>
      {d.body && <p class="muted small">{t('localDraftKept')}</p>}
      {msg && <p class={msg.kind === 'error' ? 'error' : 'ok'} role={msg.kind === 'error' ? 'alert' : 'status'}>{msg.text}</p>}
      <div class="actions">
        {d.mode === 'answer' ? (
          <>
            <button type="submit" disabled={busy || !d.body.trim()}>{t('send')}</button>
            <button type="button" class="secondary" disabled={busy || !d.body.trim()} onClick={() => void submit(true)}>{t('saveDraft')}</button>
          </>
        ) : (
          <button type="submit" disabled={busy || !d.body.trim()}>{t('addNote')}</button>
        )}
      </div>
    </form>
  );
}
