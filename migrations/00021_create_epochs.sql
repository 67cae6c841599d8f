-- Epochs: the ledger's points, closed into token amounts and a Merkle root per distributor.
-- Written by indexer/src/epochs (close) and indexer/src/publish (its on-chain life).

-- A distributor whose epochs this daemon closes, with how points become its token's base units
-- (indexer/src/epochs/convert.ts: {"mode":"fixed","unitsPerPoint":"…","rounding":"floor"|"half_up"}
-- or {"mode":"budget","budgetPerEpoch":"…"}, both with "minClaimable").
create table distributors (
  address text constraint distributors_pkey primary key,
  mint text not null,
  conversion jsonb not null,
  created_at timestamptz not null default now()
);

create table epochs (
  distributor text not null constraint epochs_distributor_fkey references distributors (address),
  epoch bigint not null,
  -- closed -> proposed (signature) -> pending (activates_at) -> active | vetoed
  status text not null default 'closed',
  -- settlement-derived ledger rows count when prev_cutoff_seq < seq <= cutoff_seq; every
  -- settlement of a slot <= cutoff_slot is in, none of a later one
  prev_cutoff_seq bigint not null,
  cutoff_seq bigint not null,
  first_slot bigint,
  cutoff_slot bigint not null,
  -- ledger rows of no settlement (adjustments) count when prev_other_id < id <= other_id
  prev_other_id bigint not null,
  other_id bigint not null,
  conversion jsonb not null,
  points bigint not null,
  allocated numeric(20, 0) not null,
  released numeric(20, 0) not null,
  cumulative_total numeric(20, 0) not null,
  leaf_count integer not null,
  settlement_count bigint not null,
  root text not null,
  dataset_hash text not null,
  inputs_hash text not null,
  closed_at timestamptz not null default now(),
  -- when the files under the data directory were last written and checked against the hashes
  files_at timestamptz,
  propose_signature text,
  proposed_at timestamptz,
  activates_at timestamptz,
  activated_at timestamptz,
  vetoed_at timestamptz,
  constraint epochs_pkey primary key (distributor, epoch),
  constraint epochs_epoch_positive_check check (epoch > 0),
  constraint epochs_status_check check (status in ('closed', 'proposed', 'pending', 'active', 'vetoed')),
  constraint epochs_seq_range_check check (cutoff_seq >= prev_cutoff_seq and other_id >= prev_other_id),
  constraint epochs_amounts_check check (released >= 0 and cumulative_total >= released)
);

-- One row per wallet whose figures changed in the epoch (activity, a release or a carried
-- balance). A wallet's leaf in epoch N is its newest row at or before N: absent wallets keep theirs.
create table epoch_wallets (
  distributor text not null,
  epoch bigint not null,
  claimant text not null,
  points bigint not null,
  base_points bigint not null,
  campaign_bonus jsonb not null,
  referral_points bigint not null,
  adjustment_points bigint not null,
  settlement_count integer not null,
  allocated numeric(20, 0) not null,
  released numeric(20, 0) not null,
  -- carried to the next epoch: dust under the minimum, or a debt from negative points
  pending numeric(21, 0) not null,
  cumulative numeric(20, 0) not null,
  constraint epoch_wallets_pkey primary key (distributor, epoch, claimant),
  constraint epoch_wallets_epoch_fkey foreign key (distributor, epoch) references epochs (distributor, epoch),
  constraint epoch_wallets_amounts_check check (released >= 0 and cumulative >= released)
);
create index epoch_wallets_claimant_idx on epoch_wallets (distributor, claimant, epoch desc);
