-- The reward catalog: rewards bought with points instead of tokens, and their redemptions.
-- Written by indexer/src/catalog. A redemption debits the ledger with a row of its own
-- (reason 'redemption'); voiding it credits the points back with another ('redemption_void').
-- Both are rows of no settlement: epochs count them like adjustments (by id), so redeemed points
-- reduce the points the epoch converts into tokens (docs in README, "Reward catalog").

alter table point_ledger drop constraint point_ledger_reason_check;
alter table point_ledger add constraint point_ledger_reason_check
  check (reason in ('earn', 'rule', 'campaign', 'referral', 'adjustment', 'event', 'redemption', 'redemption_void'));
alter table point_ledger drop constraint point_ledger_reference_check;
alter table point_ledger add constraint point_ledger_reference_check check (
  (reason in ('adjustment', 'redemption', 'redemption_void') and settlement_id is null and event_id is null)
  or (reason = 'event' and event_id is not null and settlement_id is null)
  or (reason in ('earn', 'rule', 'campaign', 'referral') and (settlement_id is null) <> (event_id is null)));
-- a redemption debits, its void credits back: never the other way round
alter table point_ledger add constraint point_ledger_redemption_sign_check check (
  (reason <> 'redemption' or delta < 0) and (reason <> 'redemption_void' or delta > 0));

alter table challenges drop constraint challenges_purpose_check;
alter table challenges add constraint challenges_purpose_check check (purpose in ('link', 'referral', 'redemption'));

create table catalog_rewards (
  code text constraint catalog_rewards_pkey primary key,
  name text not null,
  -- item (shipped or handed over), voucher (a code), entitlement (a standing benefit by tier)
  kind text not null,
  active boolean not null default true,
  -- millipoints (1 point = 1000)
  price bigint not null,
  -- tier names of the rule set in force at redemption; null: no bound
  min_tier text,
  max_tier text,
  -- millipoints the balance must hold before the debit
  min_balance bigint not null default 0,
  -- redemptions per wallet per UTC day, ISO week and month; null: no limit
  per_day integer,
  per_week integer,
  per_month integer,
  cooldown_seconds integer,
  note_required boolean not null default false,
  -- entitlement rewards: tier name (or "*") -> what the tier gets
  benefits jsonb not null default '{}',
  description text,
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint catalog_rewards_code_format_check check (code ~ '^[A-Za-z0-9_-]{2,40}$'),
  constraint catalog_rewards_kind_check check (kind in ('item', 'voucher', 'entitlement')),
  constraint catalog_rewards_price_check check (price > 0),
  constraint catalog_rewards_min_balance_check check (min_balance >= 0),
  constraint catalog_rewards_limits_check check (
    coalesce(per_day, 1) > 0 and coalesce(per_week, 1) > 0 and coalesce(per_month, 1) > 0 and coalesce(cooldown_seconds, 1) > 0),
  constraint catalog_rewards_benefits_check check (jsonb_typeof(benefits) = 'object')
);

create table redemptions (
  id bigint generated always as identity constraint redemptions_pkey primary key,
  reward_code text not null constraint redemptions_reward_fkey references catalog_rewards (code),
  wallet text not null,
  price bigint not null,
  -- the wallet's tier when it redeemed, and the benefit that tier gave (entitlements)
  tier text,
  benefit jsonb,
  note text,
  -- redeemed | voided
  status text not null default 'redeemed',
  -- point_ledger ids (its primary key was dropped for write speed, migration 00018: no foreign key)
  ledger_id bigint not null,
  challenge_nonce text constraint redemptions_challenge_fkey references challenges (nonce),
  redeemed_at timestamptz not null default now(),
  void_ledger_id bigint,
  void_reason text,
  voided_by text,
  voided_at timestamptz,
  constraint redemptions_status_check check (status in ('redeemed', 'voided')),
  constraint redemptions_void_check check ((status = 'voided') = (void_ledger_id is not null)),
  constraint redemptions_ledger_key unique (ledger_id)
);
-- the limit checks: one wallet's redemptions of one reward, newest first
create index redemptions_wallet_reward_idx on redemptions (wallet, reward_code, redeemed_at desc);
