/**
 * JSON for values that hold bigint (points, token amounts, slots): a bigint becomes its decimal
 * string, never a lossy number. The one serializer for the API, the CLI and stored rule sets.
 */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), indent);
}

/** The same value as plain JSON data (bigints as strings), e.g. for a jsonb column. */
export function toJsonValue(value: unknown): JsonValue {
  return JSON.parse(toJson(value)) as JsonValue;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
