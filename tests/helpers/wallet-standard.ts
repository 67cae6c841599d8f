// A Wallet Standard wallet as an extension registers one: accounts with their ed25519 keys and the
// `solana:signTransaction` feature, signing the transaction bytes it is handed. The key stays
// inside; callers only see the Wallet object.
import { ed25519 } from "@noble/curves/ed25519.js";
import {
  SolanaSignTransaction,
  type SolanaSignTransactionFeature,
  type SolanaSignTransactionInput,
} from "@solana/wallet-standard-features";
import { type Keypair, VersionedTransaction } from "@solana/web3.js";
import type { Wallet, WalletAccount } from "@wallet-standard/base";

const ICON = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=" as const;

export interface TestWallet extends Wallet {
  readonly features: SolanaSignTransactionFeature;
  /** Transactions signed so far. */
  readonly signed: number;
}

export function testWallet(keypair: Keypair, opts: { versions?: ("legacy" | 0)[] } = {}): TestWallet {
  const secret = keypair.secretKey.subarray(0, 32);
  const account: WalletAccount = {
    address: keypair.publicKey.toBase58(),
    publicKey: keypair.publicKey.toBytes(),
    chains: ["solana:localnet"],
    features: [SolanaSignTransaction],
  };
  let signed = 0;
  const signTransaction = async (...inputs: readonly SolanaSignTransactionInput[]) =>
    inputs.map((input) => {
      if (input.account.address !== account.address) throw new Error("unknown account");
      const tx = VersionedTransaction.deserialize(input.transaction);
      const index = tx.message.staticAccountKeys.findIndex((k) => k.equals(keypair.publicKey));
      if (index < 0 || index >= tx.message.header.numRequiredSignatures) throw new Error("this account is not a signer of the transaction");
      tx.signatures[index] = ed25519.sign(tx.message.serialize(), secret);
      signed++;
      return { signedTransaction: tx.serialize() };
    });
  return {
    version: "1.0.0",
    name: "merit test wallet",
    icon: ICON,
    chains: ["solana:localnet"],
    accounts: [account],
    features: {
      [SolanaSignTransaction]: { version: "1.0.0", supportedTransactionVersions: opts.versions ?? ["legacy", 0], signTransaction },
    },
    get signed() {
      return signed;
    },
  };
}
