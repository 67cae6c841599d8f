import assert from "node:assert/strict";
import { mapShopifyOrder, toMicroUnits } from "./shopify.js";

const W = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
const M = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU";

describe("shopify: orders/create as a purchase event", () => {
  it("given amounts with up to 6 decimals, then micro-units are exact; anything else is not an amount", () => {
    assert.deepEqual(["12.50", "0.000001", "7", " 3.1 "].map(toMicroUnits), [12_500_000n, 1n, 7_000_000n, 3_100_000n]);
    assert.deepEqual(["1.2345678", "-1", "1e3", ""].map(toMicroUnits), [undefined, undefined, undefined, undefined]);
  });

  it("given both a note attribute and a customer metafield, then the note attribute's wallet wins; the metafield alone also works", () => {
    const order = {
      id: 1,
      note_attributes: [{ name: "merit_wallet", value: W }],
      customer: { metafields: [{ namespace: "merit", key: "wallet", value: M }] },
    };
    const a = mapShopifyOrder("orders/create", "s.myshopify.com", order);
    assert.ok("event" in a && a.event.wallet === W);
    const b = mapShopifyOrder("orders/create", undefined, { ...order, note_attributes: [] });
    assert.ok("event" in b && b.event.wallet === M);
  });

  it("given another topic, no id, or a wallet that is not base58, then the order is ignored with the reason", () => {
    const order = { id: 5, note_attributes: [{ name: "merit_wallet", value: W }] };
    assert.match((mapShopifyOrder("orders/paid", undefined, order) as { ignored: string }).ignored, /only orders\/create/);
    assert.match(
      (mapShopifyOrder("orders/create", undefined, { note_attributes: order.note_attributes }) as { ignored: string }).ignored,
      /no id/,
    );
    const bad = mapShopifyOrder("orders/create", undefined, { id: 5, note_attributes: [{ name: "merit_wallet", value: "0xabc" }] });
    assert.match((bad as { ignored: string }).ignored, /names no wallet/);
  });

  it("given a full order, then the event is purchase, keyed by order id, valued at total_price, with the documented properties", () => {
    const m = mapShopifyOrder("orders/create", "demo.myshopify.com", {
      id: 42,
      order_number: 1001,
      total_price: "19.99",
      currency: "EUR",
      financial_status: "paid",
      created_at: "2026-06-01T10:00:00+02:00",
      line_items: [{}, {}, {}],
      note_attributes: [{ name: "merit_wallet", value: W }],
    });
    assert.deepEqual(m, {
      event: {
        wallet: W,
        type: "purchase",
        key: "order:42",
        value: "19990000",
        properties: { items: 3, currency: "EUR", shop: "demo.myshopify.com", order_number: "1001", financial_status: "paid" },
        occurredAt: "2026-06-01T08:00:00.000Z",
      },
    });
  });
});
