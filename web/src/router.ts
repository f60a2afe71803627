// History routing over the few paths the server answers with the app (src/http/webApp.ts).
import { signal } from './signal';

export const route = signal(location.pathname + location.search);

export function navigate(to: string, replace = false): void {
  if (to === route.get()) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  route.set(to);
}

window.addEventListener('popstate', () => route.set(location.pathname + location.search));

export function match(pattern: RegExp, path: string): string[] | null {
  const m = pattern.exec(path.split('?')[0] ?? '');
  return m ? m.slice(1) : null;
}
