import { useState } from 'preact/hooks';
import { api } from '../../api';
import { t } from '../../i18n';
import { errText, Status, useLoad, type Msg } from './common';
import { invalidateLookups } from '../../lookups';
import type { ProfileRow } from '../../types';

export function Profiles() {
  const { data, error, reload } = useLoad(() => api<{ profiles: ProfileRow[] }>('GET', '/api/mind/profiles').then((r) => r.profiles));
  const [form, setForm] = useState({ email: '', name: '', password: '', role: 'agent' });
  const [msg, setMsg] = useState<Msg>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      await api('POST', '/api/mind/profile', { ...form, ...(form.password ? {} : { password: undefined }) });
      setMsg({ kind: 'ok', text: t('saved') });
      setForm({ email: '', name: '', password: '', role: 'agent' });
      invalidateLookups();
      void reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  };
  const setRole = async (p: ProfileRow, role: string) => {
    try {
      await api('PATCH', `/api/mind/profile/${p.id}`, { role });
      void reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  };
  return (
    <>
      {error && <p class="error">{error}</p>}
      <table class="grid">
        <thead><tr><th>ID</th><th>{t('name')}</th><th>{t('email')}</th><th>{t('role')}</th><th>{t('enabled')}</th></tr></thead>
        <tbody>
          {(data ?? []).map((p) => (
            <tr>
              <td>{p.id}</td><td>{p.name}</td><td>{p.email}</td>
              <td>
                <label><span class="visually-hidden">{t('role')} {p.name}</span>
                  <select value={p.role} onChange={(e) => void setRole(p, e.currentTarget.value)}>{['admin', 'agent', 'integration'].map((r) => <option>{r}</option>)}</select>
                </label>
              </td>
              <td>{p.enabled ? '✓' : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card inline-form" onSubmit={create}>
        <label>{t('email')}<input type="email" required value={form.email} onInput={(e) => setForm({ ...form, email: e.currentTarget.value })} /></label>
        <label>{t('name')}<input required value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} /></label>
        <label>{t('password')}<input type="password" autoComplete="new-password" value={form.password} onInput={(e) => setForm({ ...form, password: e.currentTarget.value })} /></label>
        <label>{t('role')}<select value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value })}>{['agent', 'admin', 'integration'].map((r) => <option>{r}</option>)}</select></label>
        <button type="submit">{t('create')}</button>
        <Status msg={msg} />
      </form>
    </>
  );
}

