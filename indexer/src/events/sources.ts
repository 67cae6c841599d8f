import type { Queryable } from "../db/connection.js";
import { CallerError } from "../errors.js";
import { newSourceSecret } from "./signature.js";

/** event_sources (migration 00040): who may post events, each with its own HMAC secret. */
export type SourceKind = "generic" | "shopify";
export const SOURCE_KINDS = ["generic", "shopify"] as const;
export const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface EventSource {
  id: bigint;
  name: string;
  kind: SourceKind;
  disabledAt: Date | null;
  createdAt: Date;
  rotatedAt: Date | null;
}

/** A source with its secret: only creation and rotation answer it, once. */
export interface EventSourceWithSecret extends EventSource {
  secret: string;
}

type Row = {
  id: bigint;
  name: string;
  kind: SourceKind;
  secret: string;
  disabled_at: Date | null;
  created_at: Date;
  rotated_at: Date | null;
};
const toSource = (r: Row): EventSource => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  disabledAt: r.disabled_at,
  createdAt: r.created_at,
  rotatedAt: r.rotated_at,
});

export async function createEventSource(
  q: Queryable,
  input: { name: string; kind: SourceKind; secret?: string },
): Promise<EventSourceWithSecret> {
  if (!SOURCE_NAME.test(input.name)) throw new CallerError("bad_event_source", "name: lowercase [a-z0-9_-], at most 64 characters");
  if (!SOURCE_KINDS.includes(input.kind)) throw new CallerError("bad_event_source", `kind: one of ${SOURCE_KINDS.join(", ")}`);
  // Shopify's secret is the app's, which Shopify shows the shop owner: the admin passes it in
  const secret = input.secret ?? newSourceSecret();
  const [row] = await q<Row[]>`
    insert into event_sources (name, kind, secret) values (${input.name}, ${input.kind}, ${secret})
    on conflict on constraint event_sources_name_key do nothing returning *`;
  if (!row) throw new CallerError("event_source_exists", `an event source named ${input.name} exists already: rotate its secret instead`);
  return { ...toSource(row), secret: row.secret };
}

export async function listEventSources(q: Queryable): Promise<(EventSource & { events: number; lastEventAt: Date | null })[]> {
  const rows = await q<(Row & { events: number; last_event_at: Date | null })[]>`
    select s.*, coalesce(e.n, 0)::int as events, e.last_event_at from event_sources s
    left join lateral (select count(*) as n, max(accepted_at) as last_event_at from events where source_id = s.id) e on true
    order by s.name`;
  return rows.map((r) => ({ ...toSource(r), events: r.events, lastEventAt: r.last_event_at }));
}

/** The source as a request names it, with the secret its signature is checked against. */
export async function findEventSource(q: Queryable, name: string): Promise<(EventSource & { secret: string }) | undefined> {
  const [row] = await q<Row[]>`select * from event_sources where name = ${name}`;
  return row ? { ...toSource(row), secret: row.secret } : undefined;
}

async function change(q: Queryable, name: string, fn: () => Promise<Row[]>): Promise<{ before: EventSource; after: Row }> {
  const before = await findEventSource(q, name);
  if (!before)
    throw new CallerError("unknown_event_source", `no event source named ${name}: list them with merit admin events source list`);
  const [after] = await fn();
  const { secret: _secret, ...shown } = before;
  return { before: shown, after: after! };
}

/** A new secret replaces the old one at once: requests signed with the old one are refused from now on. */
export async function rotateEventSourceSecret(q: Queryable, name: string, secret?: string) {
  const next = secret ?? newSourceSecret();
  const r = await change(
    q,
    name,
    () => q<Row[]>`update event_sources set secret = ${next}, rotated_at = now() where name = ${name} returning *`,
  );
  return { before: r.before, after: { ...toSource(r.after), secret: r.after.secret } };
}

/** A disabled source's requests are refused (403); its accepted events stay and stay scored. */
export async function disableEventSource(q: Queryable, name: string) {
  const r = await change(
    q,
    name,
    () => q<Row[]>`
    update event_sources set disabled_at = coalesce(disabled_at, now()) where name = ${name} returning *`,
  );
  return { before: r.before, after: toSource(r.after) };
}
