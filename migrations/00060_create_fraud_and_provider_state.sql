-- Fraud controls and two-sided rewards (issue 19): their scoring state, checkpointed with the rest
-- of the engine's state (00012, 00016) and rebuilt identically by replay, and the record of every
-- settlement fraud screening caught.

-- Fraud screening's state as key/value text (indexer/src/scoring/fraud/screen.ts): 'd:<wallet>'
-- the paying wallet's tally of its last UTC day, 'p:<from>><to>' when <from> last paid <to>.
create table engine_side_state (
  key text constraint engine_side_state_pkey primary key,
  value text not null
);

-- The provider side per provider account (the payee's account): what it served and the points it
-- earned as a provider, which is what the provider leaderboard ranks.
create table provider_stats (
  account text constraint provider_stats_pkey primary key,
  settlement_count bigint not null default 0,
  volume_total bigint not null default 0,
  score bigint not null default 0,
  -- served volume per UTC day inside the tier window: "day:volume" pairs joined by ","
  recent_volume text not null default ''
);
create index provider_stats_leaderboard_idx on provider_stats (score desc, account asc);

-- A settlement fraud screening caught, with its reason. 'excluded' counts for nothing; 'pending'
-- waits in the review queue until an admin approves (held_points are credited as a ledger row,
-- ledger_id) or rejects it. The decision is an input like an adjustment: replay recomputes which
-- settlements are caught and their held points, never the decision.
create table settlement_exclusions (
  settlement_id bigint constraint settlement_exclusions_pkey primary key
    constraint settlement_exclusions_settlement_fkey references settlements (id),
  seq bigint not null,
  wallet text not null,
  counterparty text not null,
  account text not null,
  reason text not null,
  detail text not null,
  status text not null,
  held_points bigint not null default 0,
  rule_set_version bigint,
  occurred_at timestamptz not null,
  decided_by text,
  decided_at timestamptz,
  decision_note text,
  -- the approval's point_ledger row (no foreign key: point_ledger has no primary key since 00018)
  ledger_id bigint,
  created_at timestamptz not null default now(),
  constraint settlement_exclusions_reason_check
    check (reason in ('linked_addresses', 'round_trip', 'below_minimum', 'daily_cap', 'review_threshold')),
  constraint settlement_exclusions_status_check check (status in ('excluded', 'pending', 'approved', 'rejected')),
  constraint settlement_exclusions_held_check check (held_points >= 0),
  constraint settlement_exclusions_decision_check
    check ((status in ('approved', 'rejected')) = (decided_by is not null and decided_at is not null))
);
create index settlement_exclusions_wallet_idx on settlement_exclusions (wallet, seq);
create index settlement_exclusions_account_idx on settlement_exclusions (account, seq);
create index settlement_exclusions_pending_idx on settlement_exclusions (seq) where status = 'pending';
