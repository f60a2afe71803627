import { useEffect } from 'preact/hooks';
import { loadSession, logout, session } from './api';
import { useSignal } from './signal';
import { lang, setLang, t } from './i18n';
import { match, navigate, route } from './router';
import { LoginPage } from './pages/Login';
import { TicketList } from './pages/TicketList';
import { TicketView } from './pages/TicketView';
import { AdminPage } from './pages/Admin';

export function App() {
  const me = useSignal(session);
  const path = useSignal(route);
  useSignal(lang);
  useEffect(() => {
    void loadSession();
  }, []);

  if (me === undefined) return <p class="loading">{t('loading')}</p>;
  if (me === null) return <LoginPage />;

  const ticket = match(/^\/tickets\/(\d+)$/, path);
  const admin = match(/^\/admin(?:\/([a-z-]+))?$/, path);
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href="/" onClick={(e) => { e.preventDefault(); navigate('/'); }}>{t('appName')}</a>
        <nav aria-label="main">
          <a href="/" aria-current={!ticket && !admin ? 'page' : undefined} onClick={(e) => { e.preventDefault(); navigate('/'); }}>{t('inbox')}</a>
          {me.role === 'admin' && (
            <a href="/admin" aria-current={admin ? 'page' : undefined} onClick={(e) => { e.preventDefault(); navigate('/admin'); }}>{t('admin')}</a>
          )}
        </nav>
        <span class="spacer" />
        <label class="lang">
          <span class="visually-hidden">{t('language')}</span>
          <select value={lang.get()} onChange={(e) => setLang((e.currentTarget.value as 'de' | 'en'))}>
            <option value="de">Deutsch</option>
            <option value="en">English</option>
          </select>
        </label>
        <span class="me" title={me.email}>{me.name}</span>
        <button type="button" class="link" onClick={() => void logout().then(() => navigate('/login', true))}>{t('logout')}</button>
      </header>
      <main id="main">
        {ticket ? <TicketView id={Number(ticket[0])} key={ticket[0]} /> : admin ? <AdminPage section={admin[0] ?? 'subchannels'} /> : <TicketList />}
      </main>
    </div>
  );
}
