import { accountMethods } from "./accounts.js";
import { blockMethods } from "./blocks.js";
import { clusterMethods } from "./cluster.js";
import type { Methods } from "./context.js";
import { tokenMethods } from "./tokens.js";
import { transactionMethods } from "./transactions.js";

export type { Handler, Methods } from "./context.js";

/** Every HTTP JSON-RPC method the localnet serves, by name. */
export const methods: Methods = {
  ...accountMethods,
  ...blockMethods,
  ...clusterMethods,
  ...tokenMethods,
  ...transactionMethods,
};
