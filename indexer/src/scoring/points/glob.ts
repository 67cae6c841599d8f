/**
 * Memo patterns are globs (`*` any run, `?` one character), not regular expressions: admins type
 * them, and a glob cannot be written to backtrack catastrophically or depend on engine quirks.
 */
const cache = new Map<string, RegExp>();

export function globMatch(pattern: string, text: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*+/g, ".*").replace(/\?/g, ".");
    re = new RegExp(`^${body}$`, "s");
    cache.set(pattern, re);
  }
  return re.test(text);
}
