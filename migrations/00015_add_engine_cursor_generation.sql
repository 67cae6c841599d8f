-- Bumped by every admin write that takes the cursor lock (rule sets, links, referrals, adjustments,
-- snapshots). A worker keeps its scoring state warm in memory between batches only while the cursor
-- is exactly where it left it, at the same generation; anything else makes it reload from the tables.
alter table engine_cursor add column generation bigint not null default 0;
