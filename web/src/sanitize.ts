// Customer mail is attacker-controlled HTML. It is sanitised with DOMPurify into a fragment (no
// script, no event handlers, no forms, no <style> that could restyle the app), remote images are
// parked in data-remote-src until the agent asks for them, and quoted history is folded into
// <details>. The page's CSP (script-src 'self', img-src 'self' data: blob:) holds even if this missed
// something: a remote image can only load through the server's image proxy, which a click starts.
import DOMPurify from 'dompurify';

const REMOTE = /^(?:https?:)?\/\//i;
// The quote containers of common mail clients (the server knows more for bodyClean; these are
// the ones worth folding in the browser).
const QUOTE_SELECTOR = [
  'blockquote',
  '.gmail_quote',
  '.yahoo_quoted',
  '#divRplyFwdMsg',
  '#appendonsend',
  '.moz-cite-prefix',
  '[data-marker="__QUOTED_TEXT__"]',
].join(',');

const purifier = DOMPurify(window);
let remoteFound = 0;
purifier.addHook('afterSanitizeAttributes', (node) => {
  const el = node as Element;
  if (!el.getAttribute) return;
  if (el.tagName === 'IMG') {
    const src = el.getAttribute('src') ?? '';
    if (REMOTE.test(src)) {
      el.setAttribute('data-remote-src', src);
      el.removeAttribute('src');
      remoteFound++;
    }
    el.removeAttribute('srcset');
  }
  // Old-style table backgrounds and CSS url()s would fetch remote images too (the CSP refuses
  // them; dropping them keeps the console quiet and the intent plain).
  el.removeAttribute('background');
  const style = el.getAttribute('style');
  if (style && /url\s*\(/i.test(style)) el.removeAttribute('style');
  if (el.tagName === 'A') {
    el.setAttribute('target', '_blank');
    el.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

export interface SafeBody {
  fragment: DocumentFragment;
  remoteImages: number;
}

export function sanitizeHtml(html: string): SafeBody {
  remoteFound = 0;
  const fragment = purifier.sanitize(html, {
    RETURN_DOM_FRAGMENT: true,
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'select', 'textarea', 'link', 'meta', 'base', 'iframe', 'frame', 'object', 'embed'],
    FORBID_ATTR: ['srcset', 'formaction', 'action'],
    ALLOW_DATA_ATTR: false,
    ADD_ATTR: ['target'],
  }) as DocumentFragment;
  foldQuotes(fragment);
  return { fragment, remoteImages: remoteFound };
}

/** Wraps each outermost quote container into a closed <details>. */
function foldQuotes(root: DocumentFragment): void {
  const outer = [...root.querySelectorAll(QUOTE_SELECTOR)].filter((el) => !el.parentElement?.closest(QUOTE_SELECTOR));
  for (const el of outer) {
    const details = document.createElement('details');
    details.className = 'quoted';
    const summary = document.createElement('summary');
    summary.textContent = '…';
    details.append(summary);
    el.replaceWith(details);
    details.append(el);
  }
}

/** Plain text: escaped by construction (text nodes), trailing "> " lines folded. */
export function plainToFragment(text: string): SafeBody {
  const fragment = document.createDocumentFragment();
  const lines = text.split('\n');
  let firstQuote = lines.length;
  while (firstQuote > 0 && (lines[firstQuote - 1]!.startsWith('>') || lines[firstQuote - 1]!.trim() === '')) firstQuote--;
  const own = document.createElement('div');
  own.className = 'plain';
  own.textContent = lines.slice(0, firstQuote).join('\n');
  fragment.append(own);
  if (firstQuote < lines.length && lines.slice(firstQuote).some((l) => l.startsWith('>'))) {
    const details = document.createElement('details');
    details.className = 'quoted';
    const summary = document.createElement('summary');
    summary.textContent = '…';
    const quoted = document.createElement('div');
    quoted.className = 'plain';
    quoted.textContent = lines.slice(firstQuote).join('\n');
    details.append(summary, quoted);
    fragment.append(details);
  }
  return { fragment, remoteImages: 0 };
}

/** Remote images of a rendered body, fetched through the server's image proxy. */
export function loadRemoteImages(container: Element): void {
  for (const img of container.querySelectorAll('img[data-remote-src]')) {
    const src = img.getAttribute('data-remote-src')!;
    img.setAttribute('src', `/api/web/remote-image?url=${encodeURIComponent(src)}`);
    img.removeAttribute('data-remote-src');
  }
}
