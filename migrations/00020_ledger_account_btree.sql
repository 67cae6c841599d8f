-- The account's hash index (migration 00014) slows down as one account's rows pile up: every
-- duplicate of a key lands in the same bucket, and an insert walks the bucket's whole overflow
-- chain to find room. Measured 2026-12-03 on the 2-core machine, inserting 200,000 rows of one
-- account in steps of 50,000: 6, 21, 37 and 42 µs a row with the hash index, a flat 2 µs with this
-- btree. One busy wallet (an agent paying per request pays 4-5 ledger rows per settlement) or a
-- referrer with a large downline gets there within days. A btree appends at the end of the key's
-- range whatever its length.
-- The key is hashtext(account), not the text: 4-byte keys compare as integers, where the text
-- would compare under the database's collation (a btree on the text, even with collate "C", cost
-- the engine 58-63 against 44-48 µs of server CPU per settlement in bench:engine). Queries name
-- hashtext(account) = hashtext($1) and recheck the account (ledger/queries.ts). With id as the
-- second column, an account's history is read newest first straight from the index, a page at a time.
drop index point_ledger_account_hash;
create index point_ledger_account_idx on point_ledger (hashtext(account), id);
