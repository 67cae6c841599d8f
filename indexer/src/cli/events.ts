import { userInfo } from "node:os";
import { Command } from "commander";
import type { Sql } from "../db/connection.js";
import { CallerError } from "../errors.js";
import { json, out, withDb } from "./admin.js";

/**
 * `merit admin events source add|list|rotate|disable`: the event sources that may post
 * off-chain events (README, "Off-chain events"), through the same functions as
 * /v1/admin/event-sources. Every write leaves an admin_audit row, actor "cli:<user>" or --by.
 */
const actor = (by?: string) => by?.trim() || `cli:${userInfo().username}`;

async function audited<T extends { before?: unknown; after: unknown }>(
  action: string,
  by: string | undefined,
  f: (sql: Sql) => Promise<T>,
) {
  const { insertAudit } = await import("../api/admin/queries.js");
  return withDb("merit-events", async (sql) => {
    const r = await f(sql);
    await insertAudit(sql, {
      actor: actor(by),
      action: `CLI merit admin events source ${action}`,
      outcome: "ok",
      status: null,
      before: r.before ?? null,
      after: r.after,
    });
    return r;
  });
}

const withoutSecret = <T extends { secret?: string }>(s: T) => {
  const { secret: _secret, ...rest } = s;
  return rest;
};

export function eventsCommand(): Command {
  const events = new Command("events").description("off-chain events (POST /v1/events)");
  const source = events.command("source").description("who may post events, each with its own HMAC secret");
  source
    .command("add <name>")
    .description("register a source; its secret is printed once (keep it where the source signs requests)")
    .option("--kind <kind>", "generic (POST /v1/events) or shopify (POST /v1/events/shopify/<name>)", "generic")
    .option("--secret <secret>", "use this secret (Shopify: the app's webhook secret) instead of a generated one")
    .option("--by <who>", "who adds it (the audit row's actor)")
    .option("--json", "print the source and its secret as JSON")
    .action(async (name: string, o: { kind: string; secret?: string; by?: string; json?: boolean }) => {
      if (o.kind !== "generic" && o.kind !== "shopify") throw new CallerError("bad_event_source", `--kind "${o.kind}": generic or shopify`);
      const { createEventSource } = await import("../events/sources.js");
      const r = await audited("add", o.by, async (sql) => {
        const s = await createEventSource(sql, { name, kind: o.kind as "generic", secret: o.secret });
        return { source: s, after: withoutSecret(s) };
      });
      if (o.json) return out(json(r.source));
      out(`event source ${name} (${o.kind}) added. Its secret, shown this once:`);
      out(r.source.secret);
    });
  source
    .command("list")
    .description("every source with its kind, state and event count (never the secrets)")
    .option("--json", "one JSON array")
    .action(async (o: { json?: boolean }) => {
      const { listEventSources } = await import("../events/sources.js");
      const rows = await withDb("merit-events", (sql) => listEventSources(sql));
      if (o.json) return out(json(rows));
      if (rows.length === 0) return out("no event sources (add one with: admin events source add <name>)");
      for (const s of rows)
        out(
          `${s.name.padEnd(24)} ${s.kind.padEnd(8)} ${s.disabledAt ? `disabled ${s.disabledAt.toISOString()}` : "enabled"}  ${s.events} events${s.lastEventAt ? `, last ${s.lastEventAt.toISOString()}` : ""}`,
        );
    });
  source
    .command("rotate <name>")
    .description("replace a source's secret (the old one stops working at once); the new one is printed once")
    .option("--secret <secret>", "use this secret instead of a generated one")
    .option("--by <who>", "who rotates it (the audit row's actor)")
    .option("--json", "print the source and its new secret as JSON")
    .action(async (name: string, o: { secret?: string; by?: string; json?: boolean }) => {
      const { rotateEventSourceSecret } = await import("../events/sources.js");
      const r = await audited("rotate", o.by, async (sql) => {
        const x = await rotateEventSourceSecret(sql, name, o.secret);
        return { source: x.after, before: x.before, after: withoutSecret(x.after) };
      });
      if (o.json) return out(json(r.source));
      out(`event source ${name}: new secret, shown this once:`);
      out(r.source.secret);
    });
  source
    .command("disable <name>")
    .description("refuse the source's requests from now on (its stored events stay scored)")
    .option("--by <who>", "who disables it (the audit row's actor)")
    .option("--json", "print the source as JSON")
    .action(async (name: string, o: { by?: string; json?: boolean }) => {
      const { disableEventSource } = await import("../events/sources.js");
      const r = await audited("disable", o.by, (sql) => disableEventSource(sql, name));
      if (o.json) return out(json(r.after));
      out(`event source ${name} disabled at ${r.after.disabledAt!.toISOString()}`);
    });
  return events;
}
