// Who signs a claim: a web3.js Keypair (the CLI, scripts) or any Wallet Standard wallet exposing
// `solana:signTransaction` (browser extensions, mobile adapters). The claim only needs the
// claimant's address, the transaction versions it can sign, and a signature over the bytes.
import { type SolanaSignTransactionFeature, SolanaSignTransaction } from "@solana/wallet-standard-features";
import { type Keypair, PublicKey, VersionedTransaction } from "@solana/web3.js";
import type { IdentifierString, Wallet, WalletAccount } from "@wallet-standard/base";

export interface ClaimSigner {
  readonly publicKey: PublicKey;
  /** Whether a v0 message can be signed; otherwise the claim is a legacy transaction. */
  readonly supportsV0: boolean;
  /** Returns the transaction signed by `publicKey` (other signatures untouched). */
  signTransaction(tx: VersionedTransaction): Promise<VersionedTransaction>;
}

function fromKeypair(keypair: Keypair): ClaimSigner {
  return {
    publicKey: keypair.publicKey,
    supportsV0: true,
    async signTransaction(tx) {
      tx.sign([keypair]);
      return tx;
    },
  };
}

/**
 * A Wallet Standard wallet's account as a claim signer. `account` defaults to the wallet's first
 * account that has the feature; `chain` (e.g. `solana:devnet`) to the account's first Solana chain.
 */
function fromWalletStandard(wallet: Wallet, opts: { account?: WalletAccount; chain?: IdentifierString } = {}): ClaimSigner {
  const feature = (wallet.features as Partial<SolanaSignTransactionFeature>)[SolanaSignTransaction];
  if (!feature) throw new Error(`wallet ${wallet.name} does not support ${SolanaSignTransaction}`);
  const account = opts.account ?? wallet.accounts.find((a) => a.features.includes(SolanaSignTransaction));
  if (!account) throw new Error(`wallet ${wallet.name} has no account that can sign transactions (connect it first)`);
  const chain = opts.chain ?? account.chains.find((c) => c.startsWith("solana:"));
  const publicKey = new PublicKey(account.publicKey);
  return {
    publicKey,
    supportsV0: feature.supportedTransactionVersions.includes(0),
    async signTransaction(tx) {
      const [out] = await feature.signTransaction({ account, transaction: tx.serialize(), ...(chain ? { chain } : {}) });
      if (!out) throw new Error(`wallet ${wallet.name} returned no signed transaction`);
      const signed = VersionedTransaction.deserialize(out.signedTransaction);
      const index = signed.message.staticAccountKeys.findIndex((k) => k.equals(publicKey));
      if (index < 0 || index >= signed.message.header.numRequiredSignatures || signed.signatures[index]!.every((b) => b === 0)) {
        throw new Error(`wallet ${wallet.name} did not sign with ${publicKey.toBase58()}`);
      }
      return signed;
    },
  };
}

export const ClaimSigner = { fromKeypair, fromWalletStandard };
