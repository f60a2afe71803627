import { useState } from 'preact/hooks';
import { api } from '../../api';
import { t } from '../../i18n';
import { errText, Status, useLoad, type Msg } from './common';
import { invalidateLookups } from '../../lookups';
import type { AiAgent } from '../../types';

export function AiAgents() {
  const agents = useLoad(() => api<{ aiAgents: AiAgent[] }>('GET', '/api/mind/aiAgents').then((r) => r.aiAgents));
  const [form, setForm] = useState({ code: '', name: '', description: '', de: '', en: '' });
  const [msg, setMsg] = useState<Msg>(null);
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
