/**
 * JSON-RPC errors with the codes a real Solana validator uses, so clients branch on them exactly
 * as they will against a cluster (web3.js reads `code`, `message` and `data.logs`).
 */
export class RpcError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "RpcError";
    this.code = code;
    this.data = data;
  }
}

export const RPC_PARSE_ERROR = -32700;
export const RPC_INVALID_REQUEST = -32600;
export const RPC_METHOD_NOT_FOUND = -32601;
export const RPC_INVALID_PARAMS = -32602;
export const RPC_INTERNAL_ERROR = -32603;
export const RPC_PREFLIGHT_FAILURE = -32002;
export const RPC_SIGNATURE_VERIFICATION_FAILURE = -32003;
export const RPC_BLOCK_NOT_AVAILABLE = -32004;
export const RPC_SLOT_SKIPPED = -32007;
export const RPC_UNSUPPORTED_TRANSACTION_VERSION = -32015;

export function invalidParams(detail: string): RpcError {
  return new RpcError(RPC_INVALID_PARAMS, `Invalid params: ${detail}`);
}
