// Amounts stay bigint end to end; only the display divides by the mint's decimals.

/** `12.5` for 12_500_000 base units at 6 decimals; trailing zeros dropped, thousands grouped. */
export function tokens(amount: bigint, decimals: number): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const scale = 10n ** BigInt(decimals);
  const whole = (abs / scale).toLocaleString("en-US");
  const frac = decimals > 0 ? (abs % scale).toString().padStart(decimals, "0").replace(/0+$/, "") : "";
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

/** Points from millipoints (1 point = 1000), as the API counts them. */
export function points(millipoints: bigint): string {
  return tokens(millipoints, 3);
}

export function when(d: Date): string {
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export function short(address: string): string {
  return address.length > 12 ? `${address.slice(0, 4)}…${address.slice(-4)}` : address;
}
