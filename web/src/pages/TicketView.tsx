import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, session } from '../api';
import { lang, t } from '../i18n';
import { navigate } from '../router';
import { useSignal } from '../signal';
import { formatBytes, formatDate, fromLocalInput, isOverdue, toLocalInput } from '../format';
import { profileList, tagList } from '../lookups';
import { PRIORITIES, STATUSES, type Conversation, type ProfileRow, type Tag, type Ticket, type TicketIntent } from '../types';
import { MessageBody } from '../components/MessageBody';
import { AiResults } from '../components/AiResults';
import { ReplyBox } from '../components/ReplyBox';
import { IntentChips } from '../components/IntentChips';
import { typingIn } from './TicketList';

const PAGE = 500;

export function TicketView({ id }: { id: number }) {
  useSignal(lang);
  const me = useSignal(session)!;
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [thread, setThread] = useState<Conversation[] | null>(null);
  const [intents, setIntents] = useState<{ aiOutcome: string; intents: TicketIntent[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [suggestion, setSuggestion] = useState<string | null>(null);
  // Delivery states the reply answers reported, for servers whose thread omits them.
  const [delivery, setDelivery] = useState<Record<number, string>>({});

  const load = useCallback(async () => {
    try {
      const [tk, conv, ints] = await Promise.all([
        api<Ticket>('GET', `/api/mind/ticket/${id}`),
        api<{ conversations: Conversation[] }>('GET', `/api/mind/ticket/${id}/conversation?limit=${PAGE}`),
        api<{ aiOutcome: string; intents: TicketIntent[] }>('GET', `/api/mind/intent/byTicketId/${id}`),
      ]);
      setTicket(tk);
      setThread(conv.conversations);
      setIntents(ints);
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === 'Escape') {
        if (typingIn(e.target)) {
          (e.target as HTMLElement).blur();
          return;
        }
        e.preventDefault();
        navigate('/');
      } else if (e.key === 'r' && !typingIn(e.target)) {
        e.preventDefault();
        document.getElementById('reply-body')?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  if (error && !ticket) return <p class="error" role="alert">{error}</p>;
  if (!ticket || !thread) return <p>{t('loading')}</p>;

  return (
    <div class="ticket-view">
      <div class="ticket-main">
        <p><a href="/" onClick={(e) => { e.preventDefault(); navigate('/'); }}>← {t('back')}</a></p>
        <h1 class="ticket-title">#{ticket.id} {ticket.subject || '—'}</h1>
        <p class="muted">{ticket.fromName || ticket.from} · {ticket.channel} · {formatDate(ticket.createdAt)}</p>
        <section aria-labelledby="thread-title">
          <h2 id="thread-title" class="visually-hidden">{t('thread')}</h2>
          <ol class="thread">
            {thread.map((c) => {
              const kind = c.isDraft ? 'draft' : c.private || c.direction === 'internal' ? 'note' : c.direction === 'out' ? 'out' : 'in';
              const status = c.deliveryStatus ?? delivery[c.id];
              return (
                <li class={`message ${kind}`} data-conversation-id={c.id} data-kind={kind}>
                  <header>
                    <span class={`badge kind-${kind}`}>{kind === 'draft' ? t('draft') : kind === 'note' ? t('internalNote') : kind === 'out' ? t('outgoing') : t('incoming')}</span>
                    <strong>{c.fromEmailName || c.fromEmail || '—'}</strong>
                    <time>{formatDate(c.createdAt)}</time>
                    {status && <span class={`badge delivery delivery-${status}`} data-delivery={status}>{t('deliveryStatus')}: {t(`delivery_${status}`)}</span>}
                  </header>
                  {c.subject && c.subject !== ticket.subject && <p class="msg-subject">{c.subject}</p>}
                  <MessageBody body={c.body} type={c.type} />
                  {c.attachments.length > 0 && (
                    <div class="attachments" aria-label={t('attachments')}>
                      {c.attachments.map((a) => (
                        <figure class="attachment">
                          {a.url && a.contentType?.startsWith('image/') && a.contentType !== 'image/svg+xml' && <img class="thumb" src={a.url} alt={a.name} loading="lazy" />}
                          <figcaption>
                            {a.url ? <a href={a.url} download={a.name}>{a.name}</a> : a.name} <small>{formatBytes(a.size)}{a.risk ? ` · ${a.risk}` : ''}</small>
                          </figcaption>
                        </figure>
                      ))}
                    </div>
                  )}
                  {c.direction === 'in' && <AiResults cortexRequestId={c.cortexRequestId} attachments={c.attachments} onSuggestion={setSuggestion} />}
                </li>
              );
            })}
          </ol>
        </section>
        <ReplyBox
          ticket={ticket}
          suggestion={suggestion}
          onSent={(c) => {
            if (c?.deliveryStatus) setDelivery((m) => ({ ...m, [c.id]: c.deliveryStatus! }));
            void load();
          }}
        />
      </div>
      <aside class="ticket-side">
        <TicketFields ticket={ticket} me={me.id} onSaved={setTicket} />
        {intents && (
          <section aria-labelledby="ai-title" class="card">
            <h2 id="ai-title">{t('aiResults')}</h2>
            <p><span class={`badge ai-${ticket.aiSupportLevel}`}>{t(ticket.aiSupportLevel)}</span> {intents.aiOutcome}</p>
            <IntentChips intents={intents.intents} />
            {ticket.summary && <p>{ticket.summary}</p>}
          </section>
        )}
      </aside>
    </div>
  );
}

function TicketFields({ ticket, me, onSaved }: { ticket: Ticket; me: number; onSaved: (t: Ticket) => void }) {
  const [f, setF] = useState({ status: ticket.status, priority: ticket.priority, dueBy: toLocalInput(ticket.dueBy), firstResponseDueBy: toLocalInput(ticket.firstResponseDueBy), agentId: ticket.agentId ? String(ticket.agentId) : '', tagIds: ticket.tagIds });
  const [agents, setAgents] = useState<ProfileRow[]>([]);
  const [tags, setTags] = useState<Tag[]>([]);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  useEffect(() => {
    void profileList().then(setAgents);
    void tagList().then(setTags);
  }, []);

  const save = async (e: Event) => {
    e.preventDefault();
    setMsg(null);
    const body: Record<string, unknown> = { status: f.status, priority: f.priority, tagIds: f.tagIds };
    const due = fromLocalInput(f.dueBy);
    const first = fromLocalInput(f.firstResponseDueBy);
    if (due) body.dueBy = due;
    if (first) body.firstResponseDueBy = first;
    if (f.agentId) body.agentId = Number(f.agentId);
    try {
      const r = await api<{ ticket: Ticket }>('PATCH', `/api/mind/ticket/${ticket.id}`, body);
      onSaved(r.ticket);
      setMsg({ kind: 'ok', text: t('saved') });
    } catch (err) {
      setMsg({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    }
  };
  // Without the profile list (no admin), the agent can still take the ticket.
  const agentOptions = agents.length ? agents : [{ id: me, name: '✓', email: '', role: '', enabled: true }];
  return (
    <form class="card fields" onSubmit={save} aria-labelledby="fields-title">
      <h2 id="fields-title">{t('ticketFields')}</h2>
      <label>{t('status')}
        <select name="status" value={f.status} onChange={(e) => setF({ ...f, status: e.currentTarget.value })}>
          {STATUSES.map((s) => <option value={s}>{t(s)}</option>)}
        </select>
      </label>
      <label>{t('priority')}
        <select name="priority" value={f.priority} onChange={(e) => setF({ ...f, priority: e.currentTarget.value })}>
          {PRIORITIES.map((s) => <option value={s}>{t(s)}</option>)}
        </select>
      </label>
      <label class={isOverdue(ticket.dueBy, ticket.status) ? 'overdue' : undefined}>{t('dueBy')}
        <input type="datetime-local" name="dueBy" value={f.dueBy} onInput={(e) => setF({ ...f, dueBy: e.currentTarget.value })} />
      </label>
      <label>{t('firstResponseDueBy')}
        <input type="datetime-local" name="firstResponseDueBy" value={f.firstResponseDueBy} onInput={(e) => setF({ ...f, firstResponseDueBy: e.currentTarget.value })} />
      </label>
      <label>{t('agent')}
        <select name="agentId" value={f.agentId} onChange={(e) => setF({ ...f, agentId: e.currentTarget.value })}>
          <option value="">{t('unassigned')}</option>
          {agentOptions.map((a) => <option value={String(a.id)}>{a.name}</option>)}
        </select>
      </label>
      {tags.length > 0 && (
        <fieldset>
          <legend>{t('tags')}</legend>
          {tags.map((tag) => (
            <label class="check">
              <input type="checkbox" checked={f.tagIds.includes(tag.id)} onChange={(e) => setF({ ...f, tagIds: e.currentTarget.checked ? [...f.tagIds, tag.id] : f.tagIds.filter((x) => x !== tag.id) })} /> {tag.name}
            </label>
          ))}
        </fieldset>
      )}
      {msg && <p class={msg.kind} role={msg.kind === 'error' ? 'alert' : 'status'}>{msg.text}</p>}
      <button type="submit">{t('save')}</button>
    </form>
  );
}
