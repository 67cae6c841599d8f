-- The slot up to which every settlement of every watched address is ingested: at the start of a
-- poller pass the RPC's head slot at the ingest commitment is noted, and once the pass has brought
-- every watched address up to date it becomes the watermark. The rewards engine reads settlements
-- in chain order only up to here, so a settlement that the poller has not reached yet cannot be
-- overtaken by a later one that a webhook delivered first.
create table ingest_watermark (
  id smallint constraint ingest_watermark_pkey primary key default 1,
  slot bigint not null,
  updated_at timestamptz not null default now(),
  constraint ingest_watermark_single_row_check check (id = 1)
);
