import { type Connection, PublicKey } from "@solana/web3.js";
import { claimStatusPda, type MeritDistributorProgram } from "@merit/clients/idl";
import { TickBatch } from "./tick-batch.js";

interface ClaimAsk {
  address: PublicKey;
  resolve: (v: bigint) => void;
  reject: (e: unknown) => void;
}

/**
 * What wallets already claimed, read from their ClaimStatus accounts on-chain (never from our
 * database). Lookups made in the same tick share one getMultipleAccounts call (up to 100 accounts),
 * so a burst of wallet requests costs the RPC node a few calls, not one each.
 */
export class ClaimStatusReader {
  private readonly batch = new TickBatch<ClaimAsk>((b) => this.flush(b));
  /**
   * ClaimStatus addresses by distributor and claimant: deriving one is a hash and an off-curve
   * check per bump tried (clients/src/idl/curve.ts), still the largest part of the wallet route, so
   * a wallet looked at again skips it. The oldest are dropped first beyond `maxAddresses`.
   */
  private readonly addresses = new Map<string, PublicKey>();
  private readonly distributors = new Map<string, PublicKey>();

  private distributorKey(address: string): PublicKey {
    let k = this.distributors.get(address);
    if (!k) this.distributors.set(address, (k = new PublicKey(address)));
    return k;
  }

  constructor(
    private readonly connection: Connection,
    private readonly program: MeritDistributorProgram,
    private readonly maxAddresses = 100_000,
  ) {}

  private address(distributor: PublicKey, distributorAddress: string, claimant: string): PublicKey {
    const key = `${distributorAddress}:${claimant}`;
    let a = this.addresses.get(key);
    if (!a) {
      [a] = claimStatusPda(distributor, new PublicKey(claimant), this.program.programId);
      this.addresses.set(key, a);
      if (this.addresses.size > this.maxAddresses) this.addresses.delete(this.addresses.keys().next().value!);
    }
    return a;
  }

  /** The cumulative amount `claimant` (base58) was paid by `distributor` (0 before its first claim). */
  claimed(distributor: string, claimant: string): Promise<bigint> {
    const address = this.address(this.distributorKey(distributor), distributor, claimant);
    return new Promise((resolve, reject) => this.batch.push({ address, resolve, reject }));
  }

  private flush(batch: ClaimAsk[]): void {
    for (let i = 0; i < batch.length; i += 100) {
      const part = batch.slice(i, i + 100);
      this.connection
        .getMultipleAccountsInfo(
          part.map((p) => p.address),
          "confirmed",
        )
        .then(
          (infos) =>
            part.forEach((p, j) => {
              const info = infos[j];
              if (!info?.owner.equals(this.program.programId)) return p.resolve(0n);
              try {
                p.resolve(BigInt(this.program.coder.accounts.decode("claimStatus", info.data).claimed.toString()));
              } catch (err) {
                p.reject(err);
              }
            }),
          (err) => {
            for (const p of part) p.reject(err);
          },
        );
    }
  }
}
