-- Off-chain events (signup, email verified, shop purchase, API usage, custom types), posted by
-- registered sources and scored by the rewards engine beside settlements (docs/rewards-engine.md,
-- "Off-chain events"). Written by indexer/src/events, read by the engine.

-- Who may post events: one HMAC secret per source. The secret is kept because verifying an HMAC
-- needs it (a hash of it would not do); it is shown to the admin once, at creation or rotation.
create table event_sources (
  id bigint generated always as identity constraint event_sources_pkey primary key,
  name text not null constraint event_sources_name_key unique,
  -- generic: POST /v1/events with X-Merit-Signature; shopify: the orders/create webhook
  kind text not null,
  secret text not null,
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  rotated_at timestamptz,
  constraint event_sources_kind_check check (kind in ('generic', 'shopify')),
  constraint event_sources_name_check check (name ~ '^[a-z0-9][a-z0-9_-]{0,63}$')
);

-- Events are numbered under this one row's lock: an ingest transaction takes it, numbers its
-- events and commits, so events become visible to the engine in sequence order, never with a gap
-- that a slower transaction fills later.
create table event_sequence (
  id smallint constraint event_sequence_pkey primary key default 1,
  last bigint not null default 0,
  constraint event_sequence_single_row_check check (id = 1)
);
insert into event_sequence (id, last) values (1, 0);

create table events (
  id bigint generated always as identity constraint events_pkey primary key,
  -- the scoring order among events (event_sequence above)
  seq bigint not null constraint events_seq_key unique,
  source_id bigint not null constraint events_source_fkey references event_sources (id),
  wallet text not null,
  type text not null,
  dedup_key text not null,
  -- string/number/boolean values only, matched by rules (e.g. {"tier": "pro"})
  properties jsonb not null default '{}',
  -- micro-units of value (a purchase's amount normalised to 6 decimals), for per-volume awards
  value bigint not null default 0,
  -- the time the source says the event happened (never later than accepted_at)
  occurred_at timestamptz not null,
  accepted_at timestamptz not null default now(),
  -- the slot the event is scored after: ingest's watermark (or the engine's slot, if further) at acceptance
  anchor_slot bigint not null,
  constraint events_dedup_key unique (source_id, wallet, type, dedup_key),
  constraint events_value_check check (value >= 0)
);

-- One row per scored event, as settlement_scores for settlements: the credit-once guard, and the
-- position in the scoring stream the engine gave it, which replay follows.
create table event_scores (
  event_id bigint constraint event_scores_pkey primary key,
  seq bigint not null,
  account text not null,
  -- chain position the event was scored at: its anchor (after every settlement of the slot), or
  -- the engine's position when the engine had passed the anchor already
  slot bigint not null,
  tx_index integer not null,
  outer_index smallint not null,
  inner_index smallint not null,
  rule_set_version bigint,
  points bigint not null,
  event_time timestamptz not null,
  scored_at timestamptz not null default now()
);
create index event_scores_seq_idx on event_scores (seq);

-- The engine's position among events: the sequence of the last event scored. Settlements and
-- events form one stream ordered by (slot, tx_index, outer_index, inner_index, event seq), a
-- settlement counting as event seq 0.
alter table engine_cursor add column event_seq bigint not null default 0;

create index point_ledger_event_idx on point_ledger (event_id) where event_id is not null;
