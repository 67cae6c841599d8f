-- The transaction's position in its block, as resolved when it was ingested (getBlock or Helius's
-- indexWithinBlock). Kept with the raw body so a replay needs neither the RPC nor the settlement
-- rows it may be rebuilding.
alter table raw_transactions add column tx_index integer;
