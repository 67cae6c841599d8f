-- Two unique btrees every scored settlement paid for and no query reads (bench:engine: the ledger's
-- COPY is about 80% of the server's time while scoring, and its rows ~5 µs each).
--
-- * point_ledger.id keeps its identity (generated always: unique by construction, never supplied by
--   a writer; the append-only trigger refuses updates). Nothing looks a row up by id: history
--   pages go through the account's hash index and sort by id, replay and `ledger verify` read by
--   seq. Its btree was maintained on every row: 0.4-1.2 µs of server CPU a row (measured with
--   COPY of 1.93M bench:engine rows into both shapes, interleaved, 2026-12-03), 2.5-7 µs per
--   settlement at 5.7 rows each.
alter table point_ledger drop constraint point_ledger_pkey;
-- * settlement_scores.seq is assigned under the single engine cursor, one settlement at a time, and
--   only read as a range (a restarted worker's tail): a BRIN answers that, as on point_ledger.
--   settlement_scores_pkey (settlement_id) stays: it is the credit-once guard.
alter table settlement_scores drop constraint settlement_scores_seq_key;
create index settlement_scores_seq_brin on settlement_scores using brin (seq);
