/**
 * Memo patterns are globs (`*` any run, `?` one character), not regular expressions: admins type
 * them, and a glob cannot be written to backtrack catastrophically or depend on engine quirks.
 * A character is a Unicode code point: `?` matches 😀 whole (not half of its UTF-16 pair); an emoji
 * made of several code points (👍🏽, flags, joined families) is that many characters.
 */
const cache = new Map<string, RegExp>();

export function globMatch(pattern: string, text: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*+/g, ".*")
      .replace(/\?/g, ".");
    // "u": `?` (and each step of `*`) takes a whole code point, so an emoji is one character,
    // not two UTF-16 units; every escaped character above is a syntax character, valid under "u"
    re = new RegExp(`^${body}$`, "su");
    cache.set(pattern, re);
  }
  return re.test(text);
}
