-- Write-path tuning from the engine benchmark (2 cores). Every index on a randomly distributed
-- key, every per-row trigger and every extra upserted table showed up in batch time.
-- * Settlement references are written only by the engine from rows it just read in the same
--   transaction; the per-row RI trigger bought nothing.
alter table point_ledger drop constraint point_ledger_settlement_fkey;
alter table settlement_scores drop constraint settlement_scores_settlement_fkey;
-- * seq only grows: BRIN answers "rows up to seq N" at a fraction of a btree's upkeep.
drop index point_ledger_seq_idx;
create index point_ledger_seq_brin on point_ledger using brin (seq);
-- * History and balance lookups are equality on the account: a hash index costs a third of the
--   (account, id) btree on 44-character keys. Per-settlement scores are found through the ledger.
drop index point_ledger_account_idx;
create index point_ledger_account_hash on point_ledger using hash (account);
drop index settlement_scores_account_idx;
-- * The tier window's day buckets live in the account's stats row ("day:volume,..." for the days
--   still inside the widest window), saving one upserted table per batch.
alter table account_stats add column recent_volume text not null default '';
drop table account_daily_volume;
-- * State rows are rewritten every batch: with no index on changing columns and free page space,
--   updates stay HOT. The leaderboard sorts account_stats instead of keeping an index in step.
drop index account_stats_leaderboard_idx;
alter table account_stats set (fillfactor = 70);
alter table campaign_participants set (fillfactor = 70);
drop index campaign_participants_account_idx;
