-- Where each poller stream stopped: the newest signature it has fully ingested for one watched
-- address. Written only in the same transaction as the settlements it covers, so a crash can never
-- leave the cursor ahead of the rows (nothing lost) and re-reading behind it is harmless because
-- settlements are unique on (signature, instruction path) (nothing duplicated).
create table ingest_cursors (
  address text not null,
  -- 'live' for the daemon's poller; 'backfill:<start>' for a resumable backfill run
  stream text not null,
  last_signature text not null,
  last_slot bigint not null,
  updated_at timestamptz not null default now(),
  constraint ingest_cursors_pkey primary key (address, stream)
);
