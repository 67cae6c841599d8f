import type { EventInput } from "./ingest.js";

/**
 * Shopify's orders/create webhook as a merit event. The mapping (README, "Off-chain events"):
 * - wallet: the order's note attribute `merit_wallet` (a cart attribute the storefront sets), else
 *   the customer's metafield namespace `merit`, key `wallet`, when the payload carries it;
 * - type `purchase`, key `order:<order id>` (Shopify retries a webhook: the key makes it count once);
 * - value: `total_price` in micro-units (6 decimals, the shop's currency);
 * - properties: currency, shop (X-Shopify-Shop-Domain), order_number, items (line count),
 *   financial_status;
 * - occurredAt: the order's `created_at`.
 * An order without a wallet is no error: Shopify would retry it for days. It is answered and ignored.
 */
export const WALLET_ATTRIBUTE = "merit_wallet";
const BASE58_WALLET = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;

interface ShopifyOrder {
  id?: number | string;
  order_number?: number | string;
  total_price?: string;
  currency?: string;
  created_at?: string;
  financial_status?: string;
  note_attributes?: { name?: string; value?: unknown }[];
  line_items?: unknown[];
  customer?: { metafields?: { namespace?: string; key?: string; value?: unknown }[] } | null;
}

export type ShopifyMapping = { event: EventInput } | { ignored: string };

/** A decimal amount ("12.50") as micro-units; undefined when it is not one. */
export function toMicroUnits(amount: string): bigint | undefined {
  const m = /^(\d{1,15})(?:\.(\d{1,6}))?$/.exec(amount.trim());
  if (!m) return undefined;
  return BigInt(m[1]!) * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0"));
}

export function walletOfOrder(order: ShopifyOrder): string | undefined {
  const attr = order.note_attributes?.find((a) => a.name === WALLET_ATTRIBUTE)?.value;
  const meta = order.customer?.metafields?.find((m) => m.namespace === "merit" && m.key === "wallet")?.value;
  for (const v of [attr, meta]) if (typeof v === "string" && BASE58_WALLET.test(v.trim())) return v.trim();
  return undefined;
}

export function mapShopifyOrder(topic: string | undefined, shop: string | undefined, payload: unknown): ShopifyMapping {
  if (topic !== "orders/create") return { ignored: `topic ${topic ?? "(none)"} is not mapped: only orders/create is` };
  const order = (payload ?? {}) as ShopifyOrder;
  if (order.id === undefined || order.id === null) return { ignored: "the order has no id" };
  const wallet = walletOfOrder(order);
  if (!wallet)
    return { ignored: `order ${order.id} names no wallet (note attribute ${WALLET_ATTRIBUTE} or customer metafield merit.wallet)` };
  const value = order.total_price === undefined ? 0n : toMicroUnits(String(order.total_price));
  const properties: Record<string, string | number> = { items: order.line_items?.length ?? 0 };
  if (order.currency) properties.currency = order.currency;
  if (shop) properties.shop = shop;
  if (order.order_number !== undefined) properties.order_number = String(order.order_number);
  if (order.financial_status) properties.financial_status = order.financial_status;
  const created = order.created_at ? new Date(order.created_at) : undefined;
  return {
    event: {
      wallet,
      type: "purchase",
      key: `order:${order.id}`,
      properties,
      value: (value ?? 0n).toString(),
      ...(created && !Number.isNaN(created.getTime()) ? { occurredAt: created.toISOString() } : {}),
    },
  };
}
