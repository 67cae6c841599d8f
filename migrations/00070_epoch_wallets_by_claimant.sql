-- Closing an epoch of a million wallets spent most of its time in the server keeping epoch_wallets'
-- keys: every row checked the epochs foreign key and went into two indexes at random places, one of
-- them ordered by claimant under the database's collation (BENCHMARKS.md, epoch close). Now one
-- key serves every reader (a wallet's rows by epoch, the newest row at or before an epoch) and the
-- closer copies rows in claimant order, so each close appends along that key instead of scattering.
-- Claimants and distributors are base58 text: "C" ordering is their byte order, and the cheapest.
-- The foreign key goes: only insertEpoch writes these rows, in the transaction that inserts their
-- epoch, and nothing deletes epochs.
alter table epoch_wallets drop constraint epoch_wallets_epoch_fkey;
drop index epoch_wallets_claimant_idx;
alter table epoch_wallets drop constraint epoch_wallets_pkey;
alter table epoch_wallets
  alter column distributor type text collate "C",
  alter column claimant type text collate "C";
alter table epoch_wallets add constraint epoch_wallets_pkey primary key (distributor, claimant, epoch);
