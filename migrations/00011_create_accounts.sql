-- Rewards accounts. An account is named by its Solana claim wallet (the key the epoch stage pays);
-- a wallet that never linked anything is its own account and has no row here.
create table accounts (
  claim_wallet text constraint accounts_pkey primary key,
  created_at timestamptz not null default now()
);

-- Extra addresses whose activity counts for an account. `after_seq` is the engine's scoring
-- sequence when the link landed: settlements scored later count for the account, earlier ones
-- stay where they were (replay reproduces this exactly).
create table linked_addresses (
  address text constraint linked_addresses_pkey primary key,
  account text not null constraint linked_addresses_account_fkey references accounts (claim_wallet),
  chain text not null,
  after_seq bigint not null,
  signature text not null,
  linked_at timestamptz not null default now(),
  constraint linked_addresses_chain_check check (chain in ('solana', 'evm'))
);
create index linked_addresses_account_idx on linked_addresses (account);

-- Single-use signed challenges (address linking, referral adoption). Consuming one is an
-- `update ... where used_at is null`, so a replayed signature finds nothing to consume.
create table challenges (
  nonce text constraint challenges_pkey primary key,
  purpose text not null,
  account text not null,
  address text not null,
  chain text not null,
  subject text not null default '',
  message text not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now(),
  constraint challenges_purpose_check check (purpose in ('link', 'referral')),
  constraint challenges_chain_check check (chain in ('solana', 'evm'))
);

create table referral_codes (
  code text constraint referral_codes_pkey primary key,
  account text not null,
  created_at timestamptz not null default now(),
  constraint referral_codes_code_format_check check (code ~ '^[A-Za-z0-9_-]{3,32}$')
);
create index referral_codes_account_idx on referral_codes (account);

-- One referrer per account, set once (the primary key refuses re-assignment).
create table referral_links (
  referee text constraint referral_links_pkey primary key,
  referrer text not null,
  code text not null constraint referral_links_code_fkey references referral_codes (code),
  after_seq bigint not null,
  signature text not null,
  adopted_at timestamptz not null default now(),
  constraint referral_links_not_self_check check (referee <> referrer)
);
create index referral_links_referrer_idx on referral_links (referrer);
