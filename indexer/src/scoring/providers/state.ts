/**
 * The provider side's state per provider account (the payee's account): what it served, for its
 * own tiers and rule conditions, and the points it earned as a provider (its leaderboard). Kept
 * apart from account_stats, which describes the account as a payer.
 */
export interface ProviderStats {
  settlementCount: bigint;
  volumeTotal: bigint;
  score: bigint;
  /** served volume per UTC day, for the provider's tier window */
  days: Map<number, bigint>;
}

export class ProviderState {
  readonly stats = new Map<string, ProviderStats>();
  readonly dirty = new Set<string>();
  readonly loaded = new Set<string>();

  statsFor(account: string): ProviderStats {
    let s = this.stats.get(account);
    if (!s) this.stats.set(account, (s = { settlementCount: 0n, volumeTotal: 0n, score: 0n, days: new Map() }));
    this.dirty.add(account);
    return s;
  }
}
