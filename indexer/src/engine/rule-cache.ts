import type { Queryable } from "../db/connection.js";
import { compile, type CompiledRuleSet } from "../scoring/compiled.js";
import { latestRuleSetVersion, loadRuleHistory } from "../rules/rule-sets.js";

/** Versions are immutable, so the compiled history is reloaded only when a newer version exists. */
export class RuleCache {
  private version = -1n;
  private history: CompiledRuleSet[] = [];

  async get(q: Queryable): Promise<CompiledRuleSet[]> {
    const latest = await latestRuleSetVersion(q);
    if (latest !== this.version) {
      this.history = (await loadRuleHistory(q)).map(compile);
      this.version = latest;
    }
    return this.history;
  }
}
