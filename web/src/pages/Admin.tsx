import { session } from '../api';
import { t } from '../i18n';
import { navigate } from '../router';
import { useSignal } from '../signal';
import { Subchannels } from './admin/Subchannels';
import { Profiles } from './admin/Profiles';
import { ApiKeys } from './admin/ApiKeys';
import { EventHooks } from './admin/EventHooks';
import { AiAgents } from './admin/AiAgents';

const SECTIONS = ['subchannels', 'profiles', 'api-keys', 'event-hooks', 'ai-agents'] as const;
const TITLES: Record<string, string> = { subchannels: 'subchannels', profiles: 'profiles', 'api-keys': 'apiKeys', 'event-hooks': 'eventHooks', 'ai-agents': 'aiAgents' };

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

