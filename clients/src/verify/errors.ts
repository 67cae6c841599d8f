/**
 * Why a verify could not give a verdict, as opposed to a verdict of "fail" (a check that ran and
 * found a mismatch, reported in the result). The CLI maps these to exit codes: bad input 2, an
 * unreachable RPC 3.
 */
export type VerifyErrorKind = "input" | "rpc";

export class VerifyError extends Error {
  constructor(
    readonly kind: VerifyErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "VerifyError";
  }
}

export const inputError = (message: string) => new VerifyError("input", message);
export const rpcError = (message: string) => new VerifyError("rpc", message);
