/**
 * Own-property lookup in a constant table keyed by client text: a key such as `constructor`,
 * `toString` or `__proto__` must not find Object.prototype (a 500 instead of a 4xx, or worse).
 * Every table indexed by something a client sends goes through here.
 */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
