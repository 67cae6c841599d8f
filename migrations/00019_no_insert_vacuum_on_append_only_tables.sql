-- point_ledger and settlement_scores are append-only (the ledger refuses updates and deletes; a
-- score row is written once per settlement). Insert-triggered autovacuum (PostgreSQL 13+) exists
-- to set visibility-map bits for index-only scans and to freeze rows a little at a time; neither
-- pays here: hash and BRIN indexes never answer index-only scans, and at one transaction per
-- engine batch the anti-wraparound vacuum that freezes everything is decades away. On the 2-core
-- machine it took 0.9 s of server CPU per 300,000 settlements scored (3 µs each, beside ~45 µs of
-- scoring work), competing with the engine for the same cores. Auto-analyze is unaffected: the
-- planner's statistics stay fresh. Updated tables (account_stats, campaign_state) keep the defaults.
alter table point_ledger set (autovacuum_vacuum_insert_threshold = -1);
alter table settlement_scores set (autovacuum_vacuum_insert_threshold = -1);
