import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, session } from '../api';
import { t, lang } from '../i18n';
import { navigate } from '../router';
import { signal, useSignal } from '../signal';
import { formatDate, isOverdue } from '../format';
import { aiAgents, profileList } from '../lookups';
import { CHANNELS, STATUSES, type AiAgent, type ProfileRow, type Ticket, type TicketIntent } from '../types';
import { IntentChips } from '../components/IntentChips';

const PAGE_SIZE = 25;
const POLL_MS = 3000;

interface ListState {
  q: string;
  status: string;
  intent: string;
  channel: string;
  agent: string;
  mine: boolean;
  sort: string;
  page: number;
  selected: number;
}

// Kept across navigation: Esc from a ticket returns to the same page, filters and row.
const listState = signal<ListState>({ q: '', status: 'open', intent: '', channel: '', agent: '', mine: false, sort: 'newest', page: 0, selected: 0 });

const SORTS: Record<string, { orderByField: string; orderByDirection: 'asc' | 'desc' }> = {
  newest: { orderByField: 't.id', orderByDirection: 'desc' },
  oldest: { orderByField: 't.id', orderByDirection: 'asc' },
  dueSoonest: { orderByField: 't.dueBy', orderByDirection: 'asc' },
  lastMessage: { orderByField: 't.lastMessageAt', orderByDirection: 'desc' },
};

function searchBody(s: ListState, me: number) {
  const filters: Array<{ key: string; comparator: string; value: string }> = [];
  if (s.status) filters.push({ key: 't.status', comparator: '=', value: s.status });
  if (s.intent) filters.push({ key: 't.intents', comparator: '=', value: s.intent });
  if (s.channel) filters.push({ key: 't.channel', comparator: '=', value: s.channel });
  if (s.mine) filters.push({ key: 't.agentId', comparator: '=', value: String(me) });
  else if (s.agent) filters.push({ key: 't.agentId', comparator: '=', value: s.agent });
  return { filters, ...(s.q.trim() ? { q: s.q.trim() } : {}), limit: PAGE_SIZE, offset: s.page * PAGE_SIZE, ...SORTS[s.sort] };
}

const searchKey = (s: ListState) => JSON.stringify({ ...s, selected: 0 });

/** Typing in a field must not move through the queue. */
export function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

export function TicketList() {
  const me = useSignal(session)!;
  const s = useSignal(listState);
  useSignal(lang);
  const [tickets, setTickets] = useState<Ticket[] | null>(null);
  const [total, setTotal] = useState(0);
  // Past SEARCH_TOTAL_MAX the server stops counting: the pager says "1000+".
  const [totalIsCapped, setTotalIsCapped] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [intents, setIntents] = useState<Record<number, TicketIntent[]>>({});
  const [catalogue, setCatalogue] = useState<AiAgent[]>([]);
  const [agents, setAgents] = useState<ProfileRow[]>([]);
  const [fresh, setFresh] = useState(false);
  const [q, setQ] = useState(s.q);
  // The query the shown rows answer (data-loaded-q): lets a test, or a screen reader, know a search is done.
  const [loadedQ, setLoadedQ] = useState<string | null>(null);
  const rows = useRef<HTMLTableSectionElement>(null);
  const listRef = useRef<Ticket[]>([]);
  const update = (patch: Partial<ListState>) => listState.set({ ...listState.get(), ...patch });
  const shown = tickets?.length ?? 0;
  // Past the counting cap the total is a lower bound: a full page may have a next one.
  const hasNext = totalIsCapped ? shown === PAGE_SIZE : (s.page + 1) * PAGE_SIZE < total;

  useEffect(() => {
    void aiAgents().then(setCatalogue);
    void profileList().then(setAgents);
  }, []);

  const load = useCallback(async () => {
    try {
      const asked = listState.get();
      const r = await api<{ tickets: Ticket[]; total: number; totalIsCapped?: boolean }>('POST', '/api/mind/ticket/search', searchBody(asked, me.id));
      // An answer to a query that has changed since is dropped; the newer load shows its own.
      if (searchKey(listState.get()) !== searchKey(asked)) return;
      listRef.current = r.tickets;
      setTickets(r.tickets);
      setLoadedQ(asked.q);
      setTotal(r.total);
      setTotalIsCapped(r.totalIsCapped === true);
      setError(null);
      // Intent chips: one small read per row, in parallel.
      const pairs = await Promise.all(r.tickets.map((tk) => api<{ intents: TicketIntent[] }>('GET', `/api/mind/intent/byTicketId/${tk.id}`).then((x) => [tk.id, x.intents] as const, () => [tk.id, []] as const)));
      setIntents(Object.fromEntries(pairs));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [me.id]);

  useEffect(() => {
    void load();
  }, [load, s.q, s.status, s.intent, s.channel, s.agent, s.mine, s.sort, s.page]);

  // New conversations without a reload: poll the event log from the newest id seen.
  useEffect(() => {
    let cursor: number | null = null;
    let stopped = false;
    const tick = async () => {
      try {
        if (cursor === null) {
          const r = await api<{ events: Array<{ id: number }> }>('POST', '/api/mind/event/search?limit=1', { orderByField: 'e.id', orderByDirection: 'desc' });
          cursor = r.events[0]?.id ?? 0;
        } else {
          const r = await api<{ events: Array<{ id: number; type: string }> }>('POST', '/api/mind/event/search?limit=100', {
            filters: [{ key: 'e.id', comparator: '>', value: String(cursor) }],
            orderByField: 'e.id',
            orderByDirection: 'asc',
          });
          if (r.events.length) {
            cursor = r.events[r.events.length - 1]!.id;
            await load();
            setFresh(true);
          }
        }
      } catch {
        // A failed poll (offline, expired session) is retried at the next tick.
      }
      if (!stopped) timer = setTimeout(tick, POLL_MS);
    };
    let timer = setTimeout(tick, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [load]);

  const list = tickets ?? [];
  const selected = Math.min(s.selected, Math.max(0, list.length - 1));

  const focusRow = (i: number) => {
    const link = rows.current?.querySelectorAll<HTMLAnchorElement>('a.ticket-link')[i];
    link?.focus();
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      if (typingIn(e.target)) {
        // Esc leaves a field, so the next keys move through the queue again.
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      // Read at key time, not from the render: keys typed faster than a re-render must each count.
      const rowsNow = listRef.current;
      const current = Math.min(listState.get().selected, Math.max(0, rowsNow.length - 1));
      if (e.key === 'j' || e.key === 'k') {
        e.preventDefault();
        // The first key press lands on the remembered row; the next ones move.
        const onRow = !!rows.current?.contains(document.activeElement);
        const next = onRow ? Math.max(0, Math.min(rowsNow.length - 1, current + (e.key === 'j' ? 1 : -1))) : current;
        update({ selected: next });
        focusRow(next);
      } else if (e.key === 'Enter' && rowsNow[current] && !(e.target instanceof HTMLAnchorElement) && !(e.target instanceof HTMLButtonElement)) {
        e.preventDefault();
        navigate(`/tickets/${rowsNow[current]!.id}`);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const label = (key: string) => t(key);
  const intentName = (a: AiAgent) => (lang.get() === 'de' ? a.names?.de : a.names?.en) ?? a.name;

  return (
    <section class="queue" aria-labelledby="queue-title" data-loaded-q={loadedQ ?? undefined}>
      <h1 id="queue-title" class="visually-hidden">{t('inbox')}</h1>
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); update({ q, page: 0, selected: 0 }); }}>
        <label class="grow">
          <span>{t('search')}</span>
          <input type="search" name="q" value={q} placeholder={t('searchPlaceholder')} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <label>
          <span>{t('status')}</span>
          <select name="status" value={s.status} onChange={(e) => update({ status: e.currentTarget.value, page: 0 })}>
            <option value="">{t('all')}</option>
            {STATUSES.map((v) => <option value={v}>{label(v)}</option>)}
          </select>
        </label>
        <label>
          <span>{t('intents')}</span>
          <select name="intent" value={s.intent} onChange={(e) => update({ intent: e.currentTarget.value, page: 0 })}>
            <option value="">{t('all')}</option>
            {catalogue.map((a) => <option value={a.code}>{intentName(a)}</option>)}
          </select>
        </label>
        <label>
          <span>{t('channel')}</span>
          <select name="channel" value={s.channel} onChange={(e) => update({ channel: e.currentTarget.value, page: 0 })}>
            <option value="">{t('all')}</option>
            {CHANNELS.map((v) => <option value={v}>{v}</option>)}
          </select>
        </label>
        {agents.length > 0 && (
          <label>
            <span>{t('agent')}</span>
            <select name="agent" value={s.agent} disabled={s.mine} onChange={(e) => update({ agent: e.currentTarget.value, page: 0 })}>
              <option value="">{t('all')}</option>
              {agents.map((a) => <option value={String(a.id)}>{a.name}</option>)}
            </select>
          </label>
        )}
        <label class="check">
          <input type="checkbox" name="mine" checked={s.mine} onChange={(e) => update({ mine: e.currentTarget.checked, page: 0 })} />
          <span>{t('mine')}</span>
        </label>
        <label>
          <span>{t('sort')}</span>
          <select name="sort" value={s.sort} onChange={(e) => update({ sort: e.currentTarget.value, page: 0 })}>
            {Object.keys(SORTS).map((k) => <option value={k}>{t(k)}</option>)}
          </select>
        </label>
        <button type="submit">{t('search')}</button>
      </form>
      <p class="hint">{t('keyboardHelp')}</p>
      {fresh && <p class="visually-hidden" role="status">{t('newActivity')}</p>}
      {error && <p class="error" role="alert">{error}</p>}
      {tickets === null ? (
        <p>{t('loading')}</p>
      ) : list.length === 0 ? (
        <p class="empty">{t('noTickets')}</p>
      ) : (
        <table class="tickets">
          <thead>
            <tr>
              <th scope="col">{t('status')}</th>
              <th scope="col">{t('priority')}</th>
              <th scope="col">{t('channel')}</th>
              <th scope="col">{t('subject')}</th>
              <th scope="col">{t('customer')}</th>
              <th scope="col">{t('intents')}</th>
              <th scope="col">{t('aiSupportLevel')}</th>
              <th scope="col">{t('dueBy')}</th>
            </tr>
          </thead>
          <tbody ref={rows}>
            {list.map((tk, i) => {
              const overdue = isOverdue(tk.dueBy, tk.status);
              return (
                <tr key={tk.id} class={i === selected ? 'selected' : undefined} aria-current={i === selected ? "true" : undefined} data-ticket-id={tk.id} onClick={() => update({ selected: i })}>
                  <td data-label={t('status')}><span class={`badge status-${tk.status}`}>{label(tk.status)}</span></td>
                  <td data-label={t('priority')}><span class={`badge prio-${tk.priority}`}>{label(tk.priority)}</span></td>
                  <td data-label={t('channel')}>{tk.channel}</td>
                  <td class="subject" data-label={t('subject')}>
                    <a class="ticket-link" href={`/tickets/${tk.id}`} onFocus={() => update({ selected: i })} onClick={(e) => { e.preventDefault(); navigate(`/tickets/${tk.id}`); }}>
                      #{tk.id} {tk.subject || '—'}
                    </a>
                  </td>
                  <td class="customer" data-label={t('customer')}>{tk.fromName || tk.from || tk.customerId || '—'}{tk.customerId && <small> ({tk.customerId})</small>}</td>
                  <td data-label={t('intents')}><IntentChips intents={intents[tk.id] ?? []} /></td>
                  <td data-label={t('aiSupportLevel')}><span class={`badge ai-${tk.aiSupportLevel}`}>{label(tk.aiSupportLevel)}</span></td>
                  <td data-label={t('dueBy')} class={overdue ? 'due overdue' : 'due'}>
                    {tk.dueBy ? <span title={t('dueBy')}>{formatDate(tk.dueBy)}</span> : <span class="none">–</span>}{overdue && <strong class="badge overdue-badge"> {t('overdue')}</strong>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="pages">
        <button type="button" disabled={s.page === 0} onClick={() => update({ page: s.page - 1, selected: 0 })}>{t('previous')}</button>
        <span class="page-of">{t('pageOf', { from: shown ? s.page * PAGE_SIZE + 1 : 0, to: s.page * PAGE_SIZE + shown, total: totalIsCapped ? `${Math.max(total, s.page * PAGE_SIZE + shown)}+` : total })}</span>
        <button type="button" disabled={!hasNext} onClick={() => update({ page: s.page + 1, selected: 0 })}>{t('next')}</button>
      </nav>
    </section>
  );
}
