-- Engine write path, second round (bench:engine on 2 cores).
-- * The state tables (account_stats, campaign_state, campaign_participants) become checkpoints:
--   a worker keeps its state in memory and writes it back every so many settlements and whenever
--   it catches up, not every batch. `state_seq` is the sequence they reflect (<= seq). Anything
--   between is recovered by re-scoring settlements (state_seq, seq] in memory: scoring is
--   deterministic and the ledger rows of that tail are already committed.
alter table engine_cursor add column state_seq bigint not null default 0;
update engine_cursor set state_seq = seq;
alter table engine_cursor add constraint engine_cursor_state_seq_check check (state_seq <= seq);
-- * The credit-once key was a 6-column btree on every ledger row (a third of the ledger insert).
--   A settlement is credited in the same transaction that inserts its settlement_scores row, whose
--   primary key refuses a second scoring: that is the credit-once guarantee, with one bigint key
--   per settlement instead of one composite key per ledger row.
alter table point_ledger drop constraint point_ledger_credit_once_key;
-- * Whether a scored settlement counted (false: under its earn config's minimum, so it feeds no
--   count, streak or tier). Lets readers that need an account's settlement count as of the cursor
--   (referral adoption: "before or at the first settlement") add the tail after the checkpoint.
alter table settlement_scores add column counted boolean not null default true;
-- * A worker keeps its memory across admin writes and reads only the links they added (stamped
--   after_seq = the cursor's seq), instead of reloading everything after each one.
create index linked_addresses_after_seq_idx on linked_addresses (after_seq);
create index referral_links_after_seq_idx on referral_links (after_seq);
-- * Per-campaign counters of an account (awards, points, last award, settlements and volume seen)
--   move into its account_stats row ("id:awards:points:last_award_ms:seen:volume,..."; campaign ids
--   are [a-z0-9_-]): a checkpoint upserts one row per account instead of one per campaign and
--   account (261k participant rows beside 73k accounts at 250k settlements in bench:engine, about
--   17 µs of server time each).
alter table account_stats add column campaigns text not null default '';
insert into account_stats (account, campaigns)
select account, string_agg(concat_ws(':', campaign_id, awards, points, coalesce(floor(extract(epoch from last_award_at) * 1000)::bigint::text, ''),
  seen, volume), ',' order by campaign_id)
from campaign_participants group by account
on conflict (account) do update set campaigns = excluded.campaigns;
drop table campaign_participants;
