-- Unlockable rewards: prizes a campaign's final standings (an epoch's leaderboard snapshot),
-- confirmed referrals or an admin's grant unlock. Written by indexer/src/unlockables.
-- A wallet with no grant row is LOCKED; evaluation inserts EARNED rows (never removes one), an
-- admin marks them DELIVERED.
create table unlockables (
  code text constraint unlockables_pkey primary key,
  name text not null,
  description text,
  -- the campaign the prize belongs to (a rule-set campaign id), for grouping
  campaign_id text,
  -- rank: top `threshold` of the snapshot; min_score: snapshot balance >= threshold millipoints;
  -- min_referrals: confirmed referrals >= threshold; manual: only admins grant it
  criterion text not null,
  threshold bigint,
  -- the epoch whose leaderboard snapshot holds the final standings (rank and min_score)
  epoch bigint,
  active boolean not null default true,
  created_by text not null,
  created_at timestamptz not null default now(),
  evaluated_at timestamptz,
  constraint unlockables_code_format_check check (code ~ '^[A-Za-z0-9_-]{2,40}$'),
  constraint unlockables_criterion_check check (criterion in ('rank', 'min_score', 'min_referrals', 'manual')),
  constraint unlockables_threshold_check check ((criterion = 'manual') = (threshold is null) and coalesce(threshold, 1) > 0),
  constraint unlockables_epoch_check check (criterion not in ('rank', 'min_score') or epoch is not null)
);

create table unlockable_grants (
  unlockable_code text not null constraint unlockable_grants_unlockable_fkey references unlockables (code),
  wallet text not null,
  -- EARNED | DELIVERED
  status text not null default 'EARNED',
  -- evaluation | manual
  source text not null,
  rank integer,
  score bigint,
  referrals integer,
  note text,
  granted_by text,
  earned_at timestamptz not null default now(),
  delivered_at timestamptz,
  delivered_by text,
  constraint unlockable_grants_pkey primary key (unlockable_code, wallet),
  constraint unlockable_grants_status_check check (status in ('EARNED', 'DELIVERED')),
  constraint unlockable_grants_source_check check (source in ('evaluation', 'manual')),
  constraint unlockable_grants_delivered_check check ((status = 'DELIVERED') = (delivered_at is not null))
);
create index unlockable_grants_wallet_idx on unlockable_grants (wallet);
