-- The transaction as received, kept once per transaction that produced at least one settlement, for
-- audit and for replaying the parser after a fix. Stored as text (the JSON exactly as received or
-- serialised) rather than jsonb: it is never queried inside, and jsonb's parse on insert measured
-- the slowest option (BENCHMARKS.md, bench:ingest).
create table raw_transactions (
  signature text constraint raw_transactions_pkey primary key,
  slot bigint not null,
  source text not null,
  -- shape of body: getTransaction "json" encoding, a Helius raw webhook item, or a Helius enhanced item
  encoding text not null,
  body text not null,
  received_at timestamptz not null default now(),
  constraint raw_transactions_source_check check (source in ('rpc', 'helius', 'replay')),
  constraint raw_transactions_encoding_check check (encoding in ('rpc-json', 'helius-raw', 'helius-enhanced'))
);

create index raw_transactions_slot_idx on raw_transactions (slot);

-- lz4 compresses the JSON about as well as the default pglz at a fraction of the server CPU
-- (bench:ingest). Only where the server was built with lz4 (Debian's is; an embedded PGlite may
-- not be), so the same migration runs everywhere.
do $$
begin
  if exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any (enumvals)) then
    execute 'alter table raw_transactions alter column body set compression lz4';
  end if;
end
$$;
