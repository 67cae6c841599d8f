-- Publishing (indexer/src/publish): the proposal transaction in flight. propose_signature is
-- written, committed, before the transaction is sent (status 'proposed'); with the last block
-- height its blockhash is valid for, a publisher restarted after a crash knows whether that
-- transaction can still land (wait for it) or cannot any more (send a new one), and never sends a
-- second proposal while the first may land.
alter table epochs add column propose_valid_until bigint;
