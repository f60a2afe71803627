import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, session } from '../api';
import { t } from '../i18n';
import { navigate } from '../router';
import { useSignal } from '../signal';
import { formatDate } from '../format';
import { invalidateLookups } from '../lookups';
import { CHANNELS, type AiAgent, type ProfileRow } from '../types';

const SECTIONS = ['subchannels', 'profiles', 'api-keys', 'event-hooks', 'ai-agents'] as const;
const TITLES: Record<string, string> = { subchannels: 'subchannels', profiles: 'profiles', 'api-keys': 'apiKeys', 'event-hooks': 'eventHooks', 'ai-agents': 'aiAgents' };

const errText = (err: unknown) => (err instanceof ApiError ? `${err.message}${err.field ? ` (${err.field})` : ''}` : String(err));

/** A small "load, show, act" helper for the admin tables. */
function useLoad<T>(fn: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = () => fn().then((d) => { setData(d); setError(null); }, (e) => setError(errText(e)));
  useEffect(() => { void reload(); }, deps);
  return { data, error, reload };
}

function Status({ msg }: { msg: { kind: 'ok' | 'error'; text: string } | null }) {
  return msg ? <p class={msg.kind} role={msg.kind === 'error' ? 'alert' : 'status'}>{msg.text}</p> : null;
}

export function AdminPage({ section }: { section: string }) {
  useSignal(session);
  return (
    <div class="admin">
      <nav class="tabs" aria-label={t('admin')}>
        {SECTIONS.map((s) => (
          <a href={`/admin/${s}`} aria-current={s === section ? 'page' : undefined} onClick={(e) => { e.preventDefault(); navigate(`/admin/${s}`); }}>{t(TITLES[s]!)}</a>
        ))}
      </nav>
      <h1>{t(TITLES[section] ?? 'admin')}</h1>
      {section === 'subchannels' && <Subchannels />}
      {section === 'profiles' && <Profiles />}
      {section === 'api-keys' && <ApiKeys />}
      {section === 'event-hooks' && <EventHooks />}
      {section === 'ai-agents' && <AiAgents />}
    </div>
  );
}

interface Subchannel { id: number; channel: string; name: string; isDefault: boolean; interface: string; enabled: boolean; data: Record<string, unknown> | null }

function Subchannels() {
  const { data, error, reload } = useLoad(() => api<{ subchannels: Subchannel[] }>('GET', '/api/mind/settings/subchannel').then((r) => r.subchannels));
  const [form, setForm] = useState({ channel: 'email', name: '', iface: 'internal', data: '{}' });
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
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

function Profiles() {
  const { data, error, reload } = useLoad(() => api<{ profiles: ProfileRow[] }>('GET', '/api/mind/profiles').then((r) => r.profiles));
  const [form, setForm] = useState({ email: '', name: '', password: '', role: 'agent' });
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
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

interface KeyRow { id: number; name: string; lastChars?: string; createdAt: number; expiresAt: number; revokedAt?: number | null; lastUsedAt?: number | null }

function ApiKeys() {
  const me = useSignal(session)!;
  const profiles = useLoad(() => api<{ profiles: ProfileRow[] }>('GET', '/api/mind/profiles').then((r) => r.profiles, () => [] as ProfileRow[]));
  const [profileId, setProfileId] = useState(me.id);
  const keys = useLoad(() => api<{ keys: KeyRow[] }>('GET', `/api/mind/jwt/${profileId}/keys`).then((r) => r.keys), [profileId]);
  const [name, setName] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const mint = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await api<{ token: string }>('POST', `/api/mind/jwt/${profileId}`, name ? { name } : {});
      setShown(r.token);
      setMsg(null);
      void keys.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  };
  const revoke = async (k: KeyRow) => {
    try {
      await api('DELETE', `/api/mind/jwt/${profileId}/keys/${k.id}`);
      void keys.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  };
  return (
    <>
      <label>{t('profiles')}
        <select value={String(profileId)} onChange={(e) => { setProfileId(Number(e.currentTarget.value)); setShown(null); }}>
          {(profiles.data?.length ? profiles.data : [{ id: me.id, name: me.name }]).map((p) => <option value={String(p.id)}>{p.name}</option>)}
        </select>
      </label>
      {shown && (
        <div class="card shown-once" role="status">
          <p>{t('keyShownOnce')}</p>
          <code class="token">{shown}</code>
        </div>
      )}
      {keys.error && <p class="error">{keys.error}</p>}
      <table class="grid">
        <thead><tr><th>ID</th><th>{t('name')}</th><th>…</th><th>{t('expires')}</th><th /></tr></thead>
        <tbody>
          {(keys.data ?? []).map((k) => (
            <tr class={k.revokedAt ? 'muted' : undefined}>
              <td>{k.id}</td><td>{k.name}</td><td>{k.lastChars ? `…${k.lastChars}` : ''}</td><td>{formatDate(k.expiresAt)}</td>
              <td>{!k.revokedAt && <button type="button" class="small danger" onClick={() => void revoke(k)}>{t('revoke')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card inline-form" onSubmit={mint}>
        <label>{t('name')}<input value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
        <button type="submit">{t('mintKey')}</button>
        <Status msg={msg} />
      </form>
    </>
  );
}

interface Hook { id: number; url: string; eventTypes: string[]; enabled: boolean }

function EventHooks() {
  const hooks = useLoad(() => api<{ eventHooks: Hook[] }>('GET', '/api/mind/settings/event-hook').then((r) => r.eventHooks));
  const types = useLoad(() => api<{ eventTypes: Array<{ type: string; hookName: string }> }>('GET', '/api/mind/event/getEventTypes').then((r) => r.eventTypes));
  const [form, setForm] = useState({ url: '', secret: '', eventTypes: [] as string[] });
  const [open, setOpen] = useState<number | null>(null);
  const [log, setLog] = useState<any[] | null>(null);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
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

function AiAgents() {
  const agents = useLoad(() => api<{ aiAgents: AiAgent[] }>('GET', '/api/mind/aiAgents').then((r) => r.aiAgents));
  const [form, setForm] = useState({ code: '', name: '', description: '', de: '', en: '' });
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [text, setText] = useState('');
  const [detected, setDetected] = useState<{ language: string | null; intents: Array<{ code: string; confidence: number }> } | null>(null);
  const lines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean);
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      await api('POST', '/api/mind/aiAgent', { code: form.code, name: form.name, description: form.description, examples: { de: lines(form.de), en: lines(form.en) } });
      setMsg({ kind: 'ok', text: t('saved') });
      invalidateLookups();
      void agents.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  };
  const remove = async (a: AiAgent) => {
    try {
      await api('DELETE', `/api/mind/aiAgent/${a.id}`);
      invalidateLookups();
      void agents.reload();
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  };
  const detect = async (e: Event) => {
    e.preventDefault();
    try {
      setDetected(await api('POST', '/api/mind/intent/detect', { body: text }));
    } catch (err) {
      setMsg({ kind: 'error', text: errText(err) });
    }
  };
  return (
    <>
      <form class="card" onSubmit={detect} aria-labelledby="try-title">
        <h2 id="try-title">{t('tryText')}</h2>
        <label>{t('replyBody')}<textarea name="try" rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} /></label>
        <button type="submit">{t('detect')}</button>
        {detected && (
          <div role="status" class="detected">
            <p>{t('detectedLanguage')}: {detected.language ?? '–'}</p>
            <ul>{detected.intents.map((i) => <li><code>{i.code}</code> {t('confidence')} {Math.round(i.confidence * 100)}%</li>)}</ul>
          </div>
        )}
      </form>
      {agents.error && <p class="error">{agents.error}</p>}
      <table class="grid">
        <thead><tr><th>{t('code')}</th><th>{t('name')}</th><th>{t('description')}</th><th>{t('enabled')}</th><th /></tr></thead>
        <tbody>
          {(agents.data ?? []).map((a) => (
            <tr>
              <td><code>{a.code}</code></td><td>{a.names?.de ?? a.name}<br /><small>{a.names?.en}</small></td><td class="desc">{a.description}</td><td>{a.enabled ? '✓' : '–'}</td>
              <td><button type="button" class="small danger" onClick={() => void remove(a)}>{t('delete')}</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card inline-form" onSubmit={create}>
        <label>{t('code')}<input required pattern="[a-z0-9_]+" value={form.code} onInput={(e) => setForm({ ...form, code: e.currentTarget.value })} /></label>
        <label>{t('name')}<input required value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} /></label>
        <label class="grow">{t('description')}<input value={form.description} onInput={(e) => setForm({ ...form, description: e.currentTarget.value })} /></label>
        <label class="grow">{t('examplesDe')}<textarea rows={4} value={form.de} onInput={(e) => setForm({ ...form, de: e.currentTarget.value })} /></label>
        <label class="grow">{t('examplesEn')}<textarea rows={4} value={form.en} onInput={(e) => setForm({ ...form, en: e.currentTarget.value })} /></label>
        <button type="submit">{t('create')}</button>
        <Status msg={msg} />
      </form>
    </>
  );
}
