import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { t } from '../i18n';
import type { Attachment } from '../types';

interface CortexOutputs {
  language: string | null;
  intents: Array<{ code: string; confidence: number }>;
  parameters: Record<string, unknown>;
  summary?: string | null;
  replySuggestion?: string | null;
  fallback?: boolean;
  attachments: Array<{ attachmentId: string; status: string; data: Record<string, any> | null }>;
}
interface Cortex { id: number; status: string; provider: string; model: string | null; outputs: CortexOutputs | null; error: string | null }

const cache = new Map<number, Promise<Cortex | null>>();
export function loadCortex(id: number): Promise<Cortex | null> {
  let p = cache.get(id);
  if (!p) {
    p = api<{ cortexRequest: Cortex }>('GET', `/api/mind/cortex/${id}`).then((r) => r.cortexRequest, () => null);
    cache.set(id, p);
  }
  return p;
}

const show = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/** What the AI made of one message: language, intents with confidence, values, meter photos. */
export function AiResults({ cortexRequestId, attachments, onSuggestion }: { cortexRequestId: number | null; attachments: Attachment[]; onSuggestion?: (s: string) => void }) {
  const [cortex, setCortex] = useState<Cortex | null>(null);
  useEffect(() => {
    if (cortexRequestId != null) void loadCortex(cortexRequestId).then((c) => {
      setCortex(c);
      if (c?.outputs?.replySuggestion && onSuggestion) onSuggestion(c.outputs.replySuggestion);
    });
  }, [cortexRequestId]);
  if (cortexRequestId == null) return <p class="ai muted">{t('aiPending')}</p>;
  const o = cortex?.outputs;
  if (!o) return <p class="ai muted">{cortex?.error ?? t('loading')}</p>;
  const params = Object.entries(o.parameters ?? {}).filter(([, v]) => v != null && v !== '');
  const byId = new Map(attachments.map((a) => [a.id, a]));
  return (
    <details class="ai" open>
      <summary>{t('aiResults')}</summary>
      <dl>
        <dt>{t('detectedLanguage')}</dt>
        <dd>{o.language ?? '–'}</dd>
        <dt>{t('intents')}</dt>
        <dd>
          {o.intents.length === 0 ? '–' : (
            <ul class="intents">
              {o.intents.map((i) => <li><code>{i.code}</code> <span class="conf">{t('confidence')} {Math.round(i.confidence * 100)}%</span></li>)}
            </ul>
          )}
        </dd>
        {params.length > 0 && (
          <>
            <dt>{t('extracted')}</dt>
            <dd>
              <ul class="params">{params.map(([k, v]) => <li><code>{k}</code>: {show(v)}</li>)}</ul>
            </dd>
          </>
        )}
        {o.attachments.filter((a) => a.status === 'success' && a.data).map((a) => {
          const att = byId.get(a.attachmentId);
          return (
            <>
              <dt>{t('meterReading')}</dt>
              <dd class="meter">
                {att?.url && <img src={att.url} alt={att.name} class="thumb" />}
                <span>{show(a.data!.meterValue ?? a.data)}{a.data!.confidence != null && <> · {t('confidence')} {Math.round(Number(a.data!.confidence) * 100)}%</>}</span>
              </dd>
            </>
          );
        })}
        {o.fallback && <><dt>LLM</dt><dd>{t('aiFallback')}</dd></>}
        <dt>Provider</dt>
        <dd>{cortex!.provider}{cortex!.model ? ` · ${cortex!.model}` : ''}</dd>
      </dl>
    </details>
  );
}
