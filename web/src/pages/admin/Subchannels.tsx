import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api';
import { t } from '../../i18n';
import { errText, Status, useLoad, type Msg } from './common';
import { CHANNELS } from '../../types';

interface Subchannel { id: number; channel: string; name: string; isDefault: boolean; interface: string; enabled: boolean; data: Record<string, unknown> | null }

export function Subchannels() {
  const { data, error, reload } = useLoad(() => api<{ subchannels: Subchannel[] }>('GET', '/api/mind/settings/subchannel').then((r) => r.subchannels));
  const [form, setForm] = useState({ channel: 'email', name: '', iface: 'internal', data: '{}' });
  const [msg, setMsg] = useState<Msg>(null);
  const [tests, setTests] = useState<Record<number, string>>({});
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const parsed = form.data.trim() ? JSON.parse(form.data) : undefined;
      await api('POST', '/api/mind/settings/subchannel', { channel: form.channel, name: form.name, interface: form.iface, ...(parsed ? { data: parsed } : {}) });
      setMsg({ kind: 'ok', text: t('saved') });
      void reload();
    } catch (err) {
      setMsg({ kind: 'error', text: err instanceof SyntaxError ? `data: ${err.message}` : errText(err) });
    }
  };
  const test = async (id: number) => {
    try {
      const r = await api<{ success: boolean; message?: string; error?: unknown }>('POST', `/api/mind/settings/subchannel/${id}/test`, {});
      setTests((m) => ({ ...m, [id]: r.success ? t('testOk') : String(r.message ?? JSON.stringify(r)) }));
    } catch (err) {
      setTests((m) => ({ ...m, [id]: err instanceof ApiError && err.status === 404 && err.message.startsWith('no route') ? t('testUnavailable') : errText(err) }));
    }
  };
  return (
    <>
      {error && <p class="error">{error}</p>}
      <table class="grid">
        <thead><tr><th>ID</th><th>{t('channel')}</th><th>{t('name')}</th><th>{t('interfaceLabel')}</th><th>{t('enabled')}</th><th /></tr></thead>
        <tbody>
          {(data ?? []).map((s) => (
            <tr>
              <td>{s.id}</td><td>{s.channel}</td><td>{s.name}{s.isDefault ? ' ★' : ''}<br /><small class="muted">{s.data ? JSON.stringify(s.data) : ''}</small></td>
              <td>{s.interface}</td><td>{s.enabled ? '✓' : '–'}</td>
              <td><button type="button" class="small" onClick={() => void test(s.id)}>{t('testConnection')}</button> <span role="status">{tests[s.id]}</span></td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card inline-form" onSubmit={create}>
        <label>{t('channel')}<select value={form.channel} onChange={(e) => setForm({ ...form, channel: e.currentTarget.value })}>{CHANNELS.map((c) => <option>{c}</option>)}</select></label>
        <label>{t('name')}<input required value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} /></label>
        <label>{t('interfaceLabel')}<input value={form.iface} onInput={(e) => setForm({ ...form, iface: e.currentTarget.value })} /></label>
        <label class="grow">data (JSON)<textarea rows={3} value={form.data} onInput={(e) => setForm({ ...form, data: e.currentTarget.value })} /></label>
        <button type="submit">{t('create')}</button>
        <Status msg={msg} />
      </form>
    </>
  );
}

