/**
 * What a candidate rule set changes against the current one, leaf by leaf: `rules publish
 * --dry-run` prints it, the admin API returns it (and records it in admin_audit).
 */

/** One difference between two JSON-like values, at a path such as `earn[0].pointsPerUnit`. */
export interface JsonChange {
  op: "+" | "-" | "~";
  path: string;
  before?: unknown;
  after?: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
const sameLeaf = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b);

/**
 * The changes from `before` to `after`, leaf by leaf: objects by key (the keys of `after` in their
 * order, then the ones only `before` has), arrays by index. A missing key and `undefined` are the same.
 */
export function jsonDiff(before: unknown, after: unknown, path = ""): JsonChange[] {
  if (before === undefined && after === undefined) return [];
  if (before === undefined) return [{ op: "+", path, after }];
  if (after === undefined) return [{ op: "-", path, before }];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
    return keys.flatMap((k) => jsonDiff(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    return Array.from({ length: Math.max(before.length, after.length) }, (_, i) => jsonDiff(before[i], after[i], `${path}[${i}]`)).flat();
  }
  return sameLeaf(before, after) ? [] : [{ op: "~", path, before, after }];
}

/** JSON on one line, with bigints as plain numbers (the rule set's units are integers). */
export function compactJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `\u0000${x}\u0000` : x))!.replace(/"\\u0000(-?\d+)\\u0000"/g, "$1");
}

export function formatChange(c: JsonChange): string {
  if (c.op === "~") return `~ ${c.path}: ${compactJson(c.before)} -> ${compactJson(c.after)}`;
  return `${c.op} ${c.path}: ${compactJson(c.op === "+" ? c.after : c.before)}`;
}
