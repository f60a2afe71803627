/**
 * The eval source that starts a worker thread on `file` (a sibling of the calling module, given
 * without extension). The worker file has the caller's extension: `.ts` under tsx, `.js` once
 * compiled. Node 20 does not carry the parent's `--import tsx` loader hooks into a worker
 * (measured: ERR_UNKNOWN_FILE_EXTENSION for a .ts entry), so under tsx the entry registers tsx's
 * ESM hooks in the worker first and then imports the real file. A failed import is posted back
 * as `{ ok: false, error }` so the caller can reject instead of waiting.
 */
export function workerEntry(callerUrl: string, file: string): string {
  const ts = callerUrl.endsWith('.ts');
  const url = new URL(`./${file}.${ts ? 'ts' : 'js'}`, callerUrl).href;
  const load = ts
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); })`
    : `import(${JSON.stringify(url)})`;
  return `${load}.catch((err) => require('node:worker_threads').parentPort.postMessage({ ok: false, error: String((err && err.stack) || err) }));`;
}
