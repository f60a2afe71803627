/** JSON text columns (portable across SQLite and PostgreSQL) back to values; NULL → fallback. */
export const fromJson = <T>(text: string | null, fallback: T): T => (text === null ? fallback : (JSON.parse(text) as T));
