import { useState } from 'preact/hooks';
import { api, session } from '../../api';
import { t } from '../../i18n';
import { errText, Status, useLoad, type Msg } from './common';
import { useSignal } from '../../signal';
import { formatDate } from '../../format';
import type { ProfileRow } from '../../types';

interface KeyRow { id: number; name: string; lastChars?: string; createdAt: number; expiresAt: number; revokedAt?: number | null; lastUsedAt?: number | null }

export function ApiKeys() {
  const me = useSignal(session)!;
  const profiles = useLoad(() => api<{ profiles: ProfileRow[] }>('GET', '/api/mind/profiles').then((r) => r.profiles, () => [] as ProfileRow[]));
  const [profileId, setProfileId] = useState(me.id);
  const keys = useLoad(() => api<{ keys: KeyRow[] }>('GET', `/api/mind/jwt/${profileId}/keys`).then((r) => r.keys), [profileId]);
  const [name, setName] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [msg, setMsg] = useState<Msg>(null);
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

