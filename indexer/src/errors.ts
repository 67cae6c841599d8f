/**
 * Every error the indexer raises on purpose says who is at fault and whether trying again can help.
 * Callers branch on these two bits (HTTP status, retry loops, daemon supervision) instead of on
 * message text.
 */
export type ErrorKind = "caller" | "bug" | "upstream";

/** Bad input or configuration; the message says what to change. */
export type CallerErrorCode =
  | "account_is_linked"
  | "address_is_account"
  | "address_taken"
  | "backfill_start"
  | "bad_account"
  | "bad_address"
  | "bad_campaign"
  | "bad_code"
  | "bad_event_source"
  | "bad_conversion"
  | "amount_out_of_range"
  | "bad_env"
  | "bad_roles"
  | "bad_flags"
  | "bad_epoch"
  | "bad_keypair"
  | "bad_migration_name"
  | "bad_points"
  | "bad_rule_file"
  | "bad_rule_set"
  | "bad_seq"
  | "bad_signature"
  | "bad_time"
  | "bad_version"
  | "campaign_ended"
  | "campaign_exists"
  | "bad_watch_address"
  | "bad_webhook_type"
  | "campaign_active"
  | "campaign_ended"
  | "campaign_exists"
  | "cap_exceeded"
  | "data_dir_in_use"
  | "challenge_expired"
  | "challenge_used"
  | "code_taken"
  | "distributor_paused"
  | "duplicate_migration"
  | "empty_rule_set"
  | "epoch_out_of_order"
  | "files_missing"
  | "helius_auth"
  | "link_self"
  | "negative_balance"
  | "no_addresses"
  | "no_cutoff"
  | "no_database"
  | "no_helius_auth"
  | "no_helius_key"
  | "no_publisher_key"
  | "no_rpc"
  | "no_rule_set"
  | "no_snapshot"
  | "no_watch_mints"
  | "no_watch_parties"
  | "no_webhook_url"
  | "not_on_chain"
  | "not_publisher"
  | "note_required"
  | "port_in_use"
  | "publish_busy"
  | "referee_already_active"
  | "referral_cycle"
  | "referrer_already_set"
  | "self_referral"
  | "snapshot_exists"
  | "too_many_addresses"
  | "total_decreased"
  | "unknown_account"
  | "unknown_campaign"
  | "unknown_challenge"
  | "unknown_code"
  | "unknown_distributor"
  | "unknown_distributor_account"
  | "unknown_epoch"
  | "unknown_event_source"
  | "vault_uncovered"
  | "webhook_url_not_https"
  | "zero_adjustment"
  | "event_source_exists"
  // reward catalog and redemptions (indexer/src/catalog)
  | "already_voided"
  | "cooldown"
  | "daily_limit"
  | "insufficient_points"
  | "min_balance"
  | "monthly_limit"
  | "price_changed"
  | "reward_exists"
  | "reward_inactive"
  | "tier_too_high"
  | "tier_too_low"
  | "unknown_redemption"
  | "unknown_reward"
  | "bad_tier"
  | "weekly_limit"
  // unlockable rewards (indexer/src/unlockables)
  | "not_earned"
  | "unlockable_exists"
  | "unknown_unlockable"
  | "unknown_exclusion"
  | "review_decided";

/** Invariants merit itself broke. */
export type BugErrorCode =
  | "dataset_mismatch"
  | "engine_state_tail"
  | "epoch_rebuild_mismatch"
  | "epoch_total_mismatch"
  | "epoch_sum_out_of_range"
  | "bad_accounts_part"
  | "int8_out_of_range"
  | "numeric_out_of_range"
  | "invalid_time"
  | "migration_edited"
  | "onchain_root_mismatch"
  | "unknown_migration";

/** RPC, Helius and database failures. */
export type UpstreamErrorCode =
  | "api_unavailable"
  | "api_unreachable"
  | "copy_rejected"
  | "embedded_db_busy"
  | "db_unavailable"
  | "helius_api_error"
  | "helius_garbage"
  | "helius_unreachable"
  | "publish_expired"
  | "publish_rejected"
  | "rpc_batch_unsupported"
  | "rpc_error"
  | "rpc_garbage"
  | "rpc_http_error"
  | "rpc_rate_limited"
  | "rpc_server_error"
  | "rpc_timeout"
  | "rpc_unreachable";

/**
 * Why a transaction (or one transfer of it) is stored in ingest_rejects instead of settlements;
 * stable codes, counted by `rejects` and documented in docs/ingest.md.
 */
export type RejectReason =
  | "account_index_out_of_range"
  | "bad_address"
  | "bad_campaign"
  | "bad_instruction_data"
  | "bad_shape"
  | "bad_signature"
  | "bad_token_balance"
  | "decimals_unknown"
  | "destination_owner_unknown"
  | "enhanced_without_instructions"
  | "expected_array"
  | "malformed_json"
  | "malformed_token_instruction"
  | "missing_loaded_addresses"
  | "missing_meta"
  | "transaction_not_found"
  | "transfer_mint_unknown"
  | "tx_index_unavailable"
  | "unexpected_parse_error"
  | "unknown_item_shape"
  | "volume_out_of_range";

export type ErrorCode = CallerErrorCode | BugErrorCode | UpstreamErrorCode | RejectReason;

export class MeritError extends Error {
  /** `caller`: bad input or config, fix the input; `bug`: an invariant broke; `upstream`: RPC/DB trouble. */
  readonly kind: ErrorKind;
  /** Whether the same call may succeed later without any change (network, rate limit, lock). */
  readonly retryable: boolean;
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, opts: { kind: ErrorKind; retryable?: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = opts.kind;
    this.retryable = opts.retryable ?? false;
  }
}

/** Bad input or configuration: never retried, reported back to whoever sent it. */
export class CallerError extends MeritError {
  declare readonly code: CallerErrorCode;
  constructor(code: CallerErrorCode, message: string, cause?: unknown) {
    super(code, message, { kind: "caller", retryable: false, cause });
  }
}

/** A broken invariant inside merit: never retried, always logged loudly. */
export class BugError extends MeritError {
  declare readonly code: BugErrorCode;
  constructor(code: BugErrorCode, message: string, cause?: unknown) {
    super(code, message, { kind: "bug", retryable: false, cause });
  }
}

/** A dependency (RPC, database) failed; `retryable` says whether backing off and retrying may help. */
export class UpstreamError extends MeritError {
  declare readonly code: UpstreamErrorCode;
  constructor(code: UpstreamErrorCode, message: string, retryable: boolean, cause?: unknown) {
    super(code, message, { kind: "upstream", retryable, cause });
  }
}

/**
 * Input from the chain or a webhook that is not a transaction merit understands. The input is at
 * fault (kind "caller": the same bytes fail the same way), and ingest stores it as a reject with
 * `reason` rather than failing the batch.
 */
export class ParseError extends MeritError {
  declare readonly code: RejectReason;
  constructor(
    reason: RejectReason,
    message: string,
    readonly signature: string | null = null,
  ) {
    super(reason, message, { kind: "caller", retryable: false });
  }

  get reason(): RejectReason {
    return this.code;
  }
}

/** Token instruction bytes that do not decode; the parser turns it into a ParseError with the instruction's position. */
export class MalformedInstruction extends ParseError {
  constructor(message: string) {
    super("malformed_token_instruction", message);
  }
}
