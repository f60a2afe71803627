// The reply template renderer: `{{name}}` / `{{a.b.c}}` replaced by the value at that path, HTML-
// escaped, in one left-to-right pass (indexOf, no regex: linear in the template's length). Numbers
// are written the language's way (12.345,6 in German). A missing value renders as nothing; the
// dry run and the intent's infos list which ones were missing.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  let out = '';
  for (const ch of s) out += ESCAPES[ch] ?? ch;
  return out;
}

export function valueAt(root: unknown, path: string): unknown {
  let cur = root;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function show(v: unknown, language: string): string {
  if (typeof v === 'number') return new Intl.NumberFormat(language === 'de' ? 'de-DE' : 'en-GB', { maximumFractionDigits: 6 }).format(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return language === 'de' ? (v ? 'ja' : 'nein') : v ? 'yes' : 'no';
  return '';
}

export function renderTemplate(template: string, values: Record<string, unknown>, language: string): { text: string; missing: string[] } {
  let text = '';
  const missing: string[] = [];
  let i = 0;
  for (;;) {
    const open = template.indexOf('{{', i);
    const close = open < 0 ? -1 : template.indexOf('}}', open + 2);
    if (close < 0) {
      text += template.slice(i);
      return { text, missing };
    }
    text += template.slice(i, open);
    const path = template.slice(open + 2, close).trim();
    const v = valueAt(values, path);
    if (v === undefined || v === null || typeof v === 'object') missing.push(path);
    text += escapeHtml(show(v, language));
    i = close + 2;
  }
}
