/**
 * The parts of the daemon that can run as separate processes (`merit start --roles`, MERIT_ROLES).
 * A leaf module: env.ts validates against it.
 */
export const ROLES = ["ingest", "engine", "epochs", "api"] as const;
export type Role = (typeof ROLES)[number];

/** The roles named in a comma list, or what is wrong with it. */
export function parseRoles(text: string): Role[] | string {
  const names = text
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(ROLES as readonly string[]).includes(n));
  if (unknown.length > 0) return `unknown role ${unknown.map((u) => `"${u}"`).join(", ")}: the roles are ${ROLES.join(", ")}`;
  if (names.length === 0) return `no role named: the roles are ${ROLES.join(", ")}`;
  return ROLES.filter((r) => names.includes(r));
}
