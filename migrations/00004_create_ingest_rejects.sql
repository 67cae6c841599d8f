-- Input the ingest stage could not turn into settlements: a transaction the parser does not
-- understand, a webhook body that is not what Helius documents, a transaction whose position in its
-- block cannot be resolved. Kept with the reason and the body for inspection; the daemon carries on.
create table ingest_rejects (
  id bigint generated always as identity constraint ingest_rejects_pkey primary key,
  -- null when the input did not even yield a signature (e.g. a malformed webhook body)
  signature text,
  source text not null,
  reason text not null,
  detail text,
  body text,
  seen_count integer not null default 1,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  constraint ingest_rejects_source_check check (source in ('rpc', 'helius', 'replay'))
);

-- Redelivery of the same bad transaction bumps seen_count instead of piling up rows.
create unique index ingest_rejects_signature_reason_key on ingest_rejects (signature, source, reason)
  where signature is not null;
create index ingest_rejects_last_seen_idx on ingest_rejects (last_seen_at);
