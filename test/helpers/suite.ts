import { describe, before, after } from 'node:test';
import { databases, noteSkippedPostgres, startApp, type TestApp, type DbKind } from './app.js';

/**
 * Runs a suite once per database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
 * on one app per database. `get()` returns the running app inside tests.
 */
export function describeEachDb(name: string, body: (get: () => TestApp, kind: DbKind) => void, env: Record<string, string> = {}): void {
  noteSkippedPostgres();
  for (const kind of databases()) {
    describe(`${name} [${kind}]`, () => {
      let t: TestApp;
      before(async () => {
        t = await startApp(kind, env);
      });
      after(async () => {
        await t?.close();
      });
      body(() => t, kind);
    });
  }
}
