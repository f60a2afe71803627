import { useState } from 'preact/hooks';
import { ApiError, login, sessionExpired } from '../api';
import { useSignal } from '../signal';
import { t } from '../i18n';
import { navigate, route } from '../router';

export function LoginPage() {
  const expired = useSignal(sessionExpired);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email, password);
      // Back to where the agent was (an expired session keeps the URL); /login itself leads to the inbox.
      if (route.get().startsWith('/login')) navigate('/', true);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('loginFailed') : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t('appName')}</h1>
        {expired && <p class="notice" role="status">{t('sessionExpired')}</p>}
        <label>
          {t('email')}
          <input name="email" type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} autoFocus />
        </label>
        <label>
          {t('password')}
          <input name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{t('login')}</button>
      </form>
    </main>
  );
}
