-- A settlement: one SPL Token / Token-2022 transfer of a watched mint that matched the watch rules.
-- Written by ingest (indexer/src/ingest), read by the rewards engine in chain order.
create table settlements (
  id bigint generated always as identity constraint settlements_pkey primary key,
  signature text not null,
  -- instruction path: top-level instruction index, and index among its inner instructions
  -- (-1 when the transfer is the top-level instruction itself)
  outer_index smallint not null,
  inner_index smallint not null default -1,
  slot bigint not null,
  -- position of the transaction inside its block; with slot and the path this is chain order
  tx_index integer not null,
  block_time timestamptz,
  mint text not null,
  token_program text not null,
  amount numeric(20, 0) not null,
  decimals smallint not null,
  payer text not null,
  payee text not null,
  source_account text not null,
  destination_account text not null,
  fee_payer text not null,
  facilitator text,
  memo text,
  source text not null,
  ingested_at timestamptz not null default now(),
  constraint settlements_signature_path_key unique (signature, outer_index, inner_index),
  constraint settlements_amount_range_check check (amount >= 0 and amount <= 18446744073709551615),
  constraint settlements_decimals_range_check check (decimals between 0 and 255),
  constraint settlements_source_check check (source in ('rpc', 'helius', 'replay'))
);

create index settlements_chain_order_idx on settlements (slot, tx_index, outer_index, inner_index);
create index settlements_payer_idx on settlements (payer, slot);
create index settlements_payee_idx on settlements (payee, slot);
