-- Rewards rules are data: every admin edit publishes a new immutable rule-set version. The body is
-- a JSON document validated by indexer/src/rules/schema.ts (earn configs, point rules, tiers,
-- campaigns, referral model). Which version scores a settlement is decided by chain position, not
-- wall clock: a version applies to settlements scored after `after_seq` (the engine's scoring
-- sequence when the version was published, taken under the engine cursor lock) whose event time is
-- at or after `effective_from`. That makes replay from the version history exact.
create table rule_sets (
  version bigint constraint rule_sets_pkey primary key,
  effective_from timestamptz not null,
  after_seq bigint not null,
  body jsonb not null,
  created_by text not null,
  note text not null default '',
  created_at timestamptz not null default now(),
  constraint rule_sets_version_positive_check check (version > 0),
  constraint rule_sets_after_seq_check check (after_seq >= 0)
);

create function rule_sets_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'rule_sets is append-only: publish a new version instead of % on version %', tg_op, old.version
    using errcode = 'P0001';
end $$;

create trigger rule_sets_append_only before update or delete on rule_sets
  for each row execute function rule_sets_refuse_change();
