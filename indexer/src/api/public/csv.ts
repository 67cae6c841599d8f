import type { Context } from "hono";

/** Whether the caller asked for CSV (`Accept: text/csv`) rather than JSON. */
export function wantsCsv(c: Context): boolean {
  return /\btext\/csv\b/.test(c.req.header("accept") ?? "");
}

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? "" : v instanceof Date ? v.toISOString() : Array.isArray(v) ? v.join(" ") : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** RFC 4180 CSV of `rows` with `columns` as the header, as a download. */
export function csvResponse(c: Context, filename: string, columns: readonly string[], rows: readonly Record<string, unknown>[]): Response {
  const lines = [columns.join(","), ...rows.map((r) => columns.map((k) => cell(r[k])).join(","))];
  c.header("content-type", "text/csv; charset=utf-8");
  c.header("content-disposition", `attachment; filename="${filename}"`);
  return c.body(`${lines.join("\r\n")}\r\n`);
}
