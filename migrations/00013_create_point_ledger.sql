-- The append-only points ledger: the source of truth for balances. Points are integers in
-- millipoints (1 point = 1000). Rows are never updated or deleted (trigger below); a correction is
-- a new row (reason 'adjustment', with a note).
create table point_ledger (
  id bigint generated always as identity constraint point_ledger_pkey primary key,
  -- engine scoring sequence the row belongs to (chain order); adjustments take the cursor's
  seq bigint not null,
  settlement_id bigint constraint point_ledger_settlement_fkey references settlements (id),
  -- off-chain events (a later issue) reference their own table here
  event_id bigint,
  account text not null,
  delta bigint not null,
  reason text not null,
  campaign_id text,
  rule_id text,
  -- referral rows: [referee, level-1 referrer, ..., this account]
  referral_path text[],
  rule_set_version bigint,
  note text,
  occurred_at timestamptz not null,
  created_at timestamptz not null default now(),
  constraint point_ledger_reason_check check (reason in ('earn', 'rule', 'campaign', 'referral', 'adjustment', 'event')),
  constraint point_ledger_adjustment_note_check check (reason <> 'adjustment' or length(btrim(coalesce(note, ''))) > 0),
  constraint point_ledger_reference_check check (
    (reason = 'adjustment' and settlement_id is null and event_id is null)
    or (reason = 'event' and event_id is not null and settlement_id is null)
    or (reason in ('earn', 'rule', 'campaign', 'referral') and (settlement_id is null) <> (event_id is null))),
  -- a settlement (or event) credits an account once per reason, campaign and rule
  constraint point_ledger_credit_once_key unique nulls not distinct (settlement_id, event_id, account, reason, campaign_id, rule_id)
);
create index point_ledger_account_idx on point_ledger (account, id);
create index point_ledger_seq_idx on point_ledger (seq);

create function point_ledger_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'point_ledger is append-only: % refused on row %', tg_op, old.id using errcode = 'P0001';
end $$;

create trigger point_ledger_append_only before update or delete on point_ledger
  for each row execute function point_ledger_refuse_change();
