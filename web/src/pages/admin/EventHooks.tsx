import { useState } from 'preact/hooks';
import { api } from '../../api';
import { t } from '../../i18n';
import { errText, Status, useLoad, type Msg } from './common';
import { formatDate } from '../../format';

interface Hook { id: number; url: string; eventTypes: string[]; enabled: boolean }

export function EventHooks() {
  const hooks = useLoad(() => api<{ eventHooks: Hook[] }>('GET', '/api/mind/settings/event-hook').then((r) => r.eventHooks));
  const types = useLoad(() => api<{ eventTypes: Array<{ type: string; hookName: string }> }>('GET', '/api/mind/event/getEventTypes').then((r) => r.eventTypes));
  const [form, setForm] = useState({ url: '', secret: '', eventTypes: [] as string[] });
  const [open, setOpen] = useState<number | null>(null);
  const [log, setLog] = useState<any[] | null>(null);
  const [msg, setMsg] = useState<Msg>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      await api('POST', '/api/mind/settings/event-hook', { url: form.url, eventTypes: form.eventTypes, ...(form.secret ? { secret: form.secret } : {}), enabled: true });
      setMsg({ kind: 'ok', text: t('saved') });
      void hooks.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  };
  const showLog = async (id: number) => {
    setOpen(id);
    setLog(null);
    const r = await api<{ deliveries: any[] }>('GET', `/api/mind/settings/event-hook/${id}/deliveries?limit=50`).catch(() => ({ deliveries: [] }));
    setLog(r.deliveries);
  };
  return (
    <>
      {hooks.error && <p class="error">{hooks.error}</p>}
      <table class="grid">
        <thead><tr><th>ID</th><th>{t('url')}</th><th>{t('eventTypes')}</th><th>{t('enabled')}</th><th /></tr></thead>
        <tbody>
          {(hooks.data ?? []).map((h) => (
            <tr>
              <td>{h.id}</td><td class="break">{h.url}</td><td>{h.eventTypes.join(', ')}</td><td>{h.enabled ? '✓' : '–'}</td>
              <td><button type="button" class="small" onClick={() => void showLog(h.id)}>{t('deliveries')}</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      {open !== null && (
        <section class="card" aria-label={t('deliveries')}>
          <h2>{t('deliveries')} #{open}</h2>
          {log === null ? <p>{t('loading')}</p> : log.length === 0 ? <p class="muted">–</p> : (
            <table class="grid">
              <thead><tr><th>ID</th><th>Event</th><th>{t('status')}</th><th>Attempts</th><th>{t('lastMessage')}</th></tr></thead>
              <tbody>
                {log.map((d) => (
                  <tr><td>{d.id}</td><td>{d.eventType ?? d.eventId}</td><td>{d.status}</td><td>{Array.isArray(d.attempts) ? d.attempts.map((a: any) => a.responseStatus ?? a.error ?? '?').join(', ') : d.attempts}</td><td>{formatDate(d.updatedAt ?? d.createdAt)}</td></tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      <form class="card inline-form" onSubmit={create}>
        <label class="grow">{t('url')}<input type="url" required value={form.url} onInput={(e) => setForm({ ...form, url: e.currentTarget.value })} /></label>
        <label>{t('secret')}<input value={form.secret} onInput={(e) => setForm({ ...form, secret: e.currentTarget.value })} /></label>
        <fieldset class="grow"><legend>{t('eventTypes')}</legend>
          {(types.data ?? []).map((ty) => (
            <label class="check"><input type="checkbox" checked={form.eventTypes.includes(ty.hookName)} onChange={(e) => setForm({ ...form, eventTypes: e.currentTarget.checked ? [...form.eventTypes, ty.hookName] : form.eventTypes.filter((x) => x !== ty.hookName) })} /> {ty.hookName}</label>
          ))}
        </fieldset>
        <button type="submit">{t('create')}</button>
        <Status msg={msg} />
      </form>
    </>
  );
}

