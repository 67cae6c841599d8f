/** What every role's starter returns. */
export interface RoleHandle {
  /** Finishes the batch in hand (it commits), then returns; nothing of the role runs after. */
  stop(): Promise<void>;
  /** A fragment of the daemon's status line. */
  status?(): string;
  /** What `/health` shows of the role. */
  health?(): unknown;
}
