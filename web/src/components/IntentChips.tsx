import { lang } from '../i18n';
import type { TicketIntent } from '../types';

export function IntentChips({ intents }: { intents: TicketIntent[] }) {
  return (
    <span class="chips">
      {intents.map((i) => (
        <span class="chip" title={`${i.code} · ${Math.round(i.confidence * 100)}%`}>{(lang.get() === 'de' ? i.nameDe : null) ?? i.name}</span>
      ))}
    </span>
  );
}
