import { useEffect, useRef, useState } from 'preact/hooks';
import { loadRemoteImages, plainToFragment, sanitizeHtml } from '../sanitize';
import { t } from '../i18n';

/** A message body, sanitised into the DOM; remote images wait for a click. */
export function MessageBody({ body, type }: { body: string; type: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [remote, setRemote] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Anything not declared plain text is read as HTML (sanitised either way).
    const safe = type === 'text' || type === 'plain' ? plainToFragment(body) : sanitizeHtml(body);
    el.replaceChildren(safe.fragment);
    for (const s of el.querySelectorAll('details.quoted > summary')) s.textContent = t('showQuoted');
    setRemote(safe.remoteImages);
  }, [body, type]);
  return (
    <div class="message-body-wrap">
      {remote > 0 && (
        <p class="remote-notice">
          {t('remoteImagesBlocked')}{' '}
          <button type="button" class="small" onClick={() => { if (ref.current) loadRemoteImages(ref.current); setRemote(0); }}>{t('loadRemoteImages')}</button>
        </p>
      )}
      <div class="message-body" ref={ref} />
    </div>
  );
}
