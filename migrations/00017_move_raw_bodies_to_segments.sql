-- Raw transactions move from one row each (raw_transactions) into one row per ingest batch: a
-- segment. Each row used to cost a heap tuple, a TOAST compression call, the signature's unique
-- btree and the slot index. In bench:ingest (40,000 recorded transactions, same run) the server
-- spent about 57 µs per settlement with a row per transaction and 35-37 µs with segments, and the
-- bodies take 27 MB instead of 76 MB (lz4 finds the account keys, programs and field names a
-- batch's transactions share).
--
-- A settlement points at its transaction's body: (raw_segment_id, raw_index), the 0-based position
-- in the segment's lists. Audit lookups go through settlements (by signature); replay walks the
-- segments in id order.
create table raw_segments (
  id bigint generated always as identity constraint raw_segments_pkey primary key,
  source text not null,
  received_at timestamptz not null default now(),
  -- one entry per transaction, comma-separated (base58, integers and these fixed words never
  -- contain a comma); tx_index is empty where it was unknown
  signatures text not null,
  slots text not null,
  tx_indexes text not null,
  encodings text not null,
  -- the JSON texts as received, separated by U+001E (JSON text never contains a raw control
  -- character); an entry is empty when its transaction was stored before (a redelivery: its
  -- settlements keep pointing at the first copy)
  bodies text not null,
  constraint raw_segments_source_check check (source in ('rpc', 'helius', 'replay'))
);

do $$
begin
  if exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any (enumvals)) then
    execute 'alter table raw_segments alter column bodies set compression lz4';
  end if;
end
$$;

alter table settlements add column raw_segment_id bigint, add column raw_index integer;
alter table settlements add constraint settlements_raw_pointer_check check ((raw_segment_id is null) = (raw_index is null));

-- Bodies already stored become one-transaction segments, and their settlements point at them
-- (a body stored before migration 00006 takes its block position from its settlements).
with moved as (
  insert into raw_segments (source, received_at, signatures, slots, tx_indexes, encodings, bodies)
  select source, received_at, signature, slot::text,
         coalesce(coalesce(tx_index, (select s.tx_index from settlements s where s.signature = r.signature limit 1))::text, ''), encoding, body
  from raw_transactions r order by received_at, signature
  returning id, signatures
)
update settlements s set raw_segment_id = m.id, raw_index = 0 from moved m where s.signature = m.signatures;

drop table raw_transactions;
