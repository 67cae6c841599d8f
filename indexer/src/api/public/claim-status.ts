import type { Connection, PublicKey } from "@solana/web3.js";
import { claimStatusPda, type MeritDistributorProgram } from "@merit/clients/idl";

/**
 * What wallets already claimed, read from their ClaimStatus accounts on-chain (never from our
 * database). Lookups made in the same tick share one getMultipleAccounts call (up to 100 accounts),
 * so a burst of wallet requests costs the RPC node a few calls, not one each.
 */
export class ClaimStatusReader {
  private queue: { address: PublicKey; resolve: (v: bigint) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly connection: Connection,
    private readonly program: MeritDistributorProgram,
  ) {}

  /** The cumulative amount `claimant` was paid by `distributor` (0 before its first claim). */
  claimed(distributor: PublicKey, claimant: PublicKey): Promise<bigint> {
    const [address] = claimStatusPda(distributor, claimant, this.program.programId);
    return new Promise((resolve, reject) => {
      this.queue.push({ address, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
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
