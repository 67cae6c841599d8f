-- Scoring state of the rewards engine. Everything here is derived from settlements + rule history
-- + links, in chain order, and is rebuilt identically by replay; the ledger (00013) is the record.

-- The single ordered cursor. A worker claims it with `for update skip locked`, so at most one worker
-- advances chain order at a time and a second one returns at once instead of queueing. Admin
-- publishes (rule sets, links, referrals) lock it too, which pins them between two batches.
create table engine_cursor (
  id smallint constraint engine_cursor_pkey primary key,
  seq bigint not null,
  slot bigint not null,
  tx_index integer not null,
  outer_index smallint not null,
  inner_index smallint not null,
  event_time timestamptz,
  updated_at timestamptz not null default now(),
  constraint engine_cursor_singleton_check check (id = 1)
);
insert into engine_cursor (id, seq, slot, tx_index, outer_index, inner_index) values (1, 0, -1, -1, -1, -1);

-- One row per scored settlement: the idempotency marker and the per-settlement summary the API shows.
create table settlement_scores (
  settlement_id bigint constraint settlement_scores_pkey primary key
    constraint settlement_scores_settlement_fkey references settlements (id),
  seq bigint not null constraint settlement_scores_seq_key unique,
  account text not null,
  -- volume in micro-units (amount normalised to 6 decimals)
  volume bigint not null,
  tier text,
  rule_set_version bigint,
  points bigint not null,
  event_time timestamptz not null,
  scored_at timestamptz not null default now()
);
create index settlement_scores_account_idx on settlement_scores (account, seq);

create table account_stats (
  account text constraint account_stats_pkey primary key,
  settlement_count bigint not null default 0,
  volume_total bigint not null default 0,
  -- points credited by the engine (own, campaign, referral); conditions like "score at least" read it
  score bigint not null default 0,
  -- score plus manual adjustments and events: what the leaderboard and epochs use
  balance bigint not null default 0,
  first_seq bigint,
  first_activity_at timestamptz,
  last_day integer,
  streak_days integer not null default 0,
  -- referees whose first settlement has been scored
  referral_count integer not null default 0
);
create index account_stats_leaderboard_idx on account_stats (balance desc, first_seq asc, account asc);

-- Rolling-window tier volume, bucketed by UTC day of the settlement's block time.
create table account_daily_volume (
  account text not null,
  day integer not null,
  volume bigint not null,
  constraint account_daily_volume_pkey primary key (account, day)
);

-- Budget and participant count per campaign; locked `for update` in the batch that spends it.
create table campaign_state (
  campaign_id text constraint campaign_state_pkey primary key,
  spent bigint not null default 0,
  participants integer not null default 0,
  constraint campaign_state_spent_check check (spent >= 0)
);

create table campaign_participants (
  campaign_id text not null,
  account text not null,
  awards integer not null default 0,
  points bigint not null default 0,
  last_award_at timestamptz,
  -- qualifying settlements and volume seen inside the campaign (milestones, thresholds)
  seen integer not null default 0,
  volume bigint not null default 0,
  constraint campaign_participants_pkey primary key (campaign_id, account)
);
create index campaign_participants_account_idx on campaign_participants (account);

-- Leaderboard frozen per epoch (epochs stage calls snapshotLeaderboard).
create table leaderboard_snapshots (
  epoch bigint not null,
  rank integer not null,
  account text not null,
  balance bigint not null,
  first_seq bigint,
  as_of_seq bigint not null,
  taken_at timestamptz not null default now(),
  constraint leaderboard_snapshots_pkey primary key (epoch, rank),
  constraint leaderboard_snapshots_account_key unique (epoch, account)
);
