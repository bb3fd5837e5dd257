/**
 * `table[key]` when `key` is one of the table's own entries. Lookups of words the user wrote go
 * through it, so `"5/constructor"` or `"10toString"` finds nothing instead of a built-in of
 * `Object.prototype`.
 */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
