//! Custom program errors, numbered from 6000 as Anchor numbers `#[error_code]` variants, so that
//! `@coral-xyz/anchor` maps `custom program error: 0x17..` to the names and messages of the IDL.
//! One `errors!` list gives the enum and the messages (`ERROR_DOCS`, read by idl/generate.mjs);
//! its order is the order of the IDL's `errors` array: append only, never renumber.

/// `errors! { First = 6000: "message", Next: "message", … }`: the `MeritError` enum with
/// contiguous codes, `ERROR_DOCS` (name, message) in code order, and `MeritError::LAST`.
macro_rules! errors {
    ($first:ident = $code:literal : $first_msg:literal, $($name:ident : $msg:literal),* $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u32)]
        pub enum MeritError {
            $first = $code,
            $($name),*
        }

        /// (name, message) in code order, mirrored by `idl/merit_distributor.json`.
        pub const ERROR_DOCS: &[(&str, &str)] = &[(stringify!($first), $first_msg), $((stringify!($name), $msg)),*];
    };
}

errors! {
    InvalidInstructionData = 6000: "Instruction data is truncated, oversized or malformed",
    UnknownInstruction: "Unknown instruction discriminator",
    NotEnoughAccounts: "Not enough accounts for this instruction",
    MissingSigner: "A required signature is missing",
    NotWritable: "An account that must be writable is read-only",
    InvalidAccountOwner: "An account is owned by the wrong program",
    InvalidDiscriminator: "Account discriminator does not match the expected account type",
    InvalidAccountData: "Account data has the wrong length or content",
    InvalidPda: "Account address does not match its program-derived address",
    InvalidProgramId: "Wrong system or token program",
    MintMismatch: "Mint is not the distributor's mint",
    VaultMismatch: "Vault is not the distributor's vault",
    DistributorMismatch: "Account belongs to another distributor",
    ClaimantMismatch: "Claim status or token account belongs to another wallet",
    Unauthorized: "Signer does not hold the required authority",
    Paused: "Distributor is paused",
    EpochNotIncreasing: "Epoch must be greater than every proposed epoch",
    CumulativeTotalDecreased: "Cumulative total must never decrease",
    CapExceeded: "Cumulative total grows by more than the per-epoch cap",
    PendingQueueFull: "Too many pending roots; activate or veto one first",
    RootNotPending: "Root is not pending",
    VetoWindowClosed: "Root has reached its activation time and can no longer be vetoed",
    RootVetoed: "Root was vetoed",
    RootNotActive: "Root is not active yet",
    RootSuperseded: "Root is neither the current root nor the previous one within the grace period",
    OutOfOrderActivation: "An earlier pending root must activate first",
    InvalidProof: "Merkle proof does not lead to the root",
    ProofTooLong: "Merkle proof is longer than the maximum depth",
    NothingToClaim: "Cumulative amount is not above what was already claimed",
    ExceedsRootTotal: "Claim would pay more than the root's total minus everything paid",
    ClawbackExceedsSurplus: "Clawback would take tokens owed to claimants",
    ClaimWindowExpired: "Claim window has expired",
    InvalidParams: "Invalid distributor parameters",
    ArithmeticOverflow: "Arithmetic overflow",
    AlreadyInitialized: "Account is already initialized",
    NoPendingAdmin: "Signer is not the pending admin",
    SysvarUnavailable: "Sysvar unavailable or unsupported",
    CpiFailed: "Cross-program invocation failed",
    ClawbackToVault: "Clawback destination is the vault itself",
}

impl MeritError {
    /// The first code (Anchor's custom error offset).
    pub const FIRST: u32 = 6000;
}

impl From<MeritError> for u64 {
    #[inline(always)]
    fn from(e: MeritError) -> u64 {
        e as u32 as u64
    }
}

pub type ProgramResult = Result<(), MeritError>;

/// Writes the AnchorError line into `buf` and returns its length (truncated to the buffer),
/// without `core::fmt` and without panicking paths.
pub fn anchor_error_line(error: MeritError, buf: &mut [u8]) -> usize {
    let code = error as u32;
    let Some((name, msg)) = code.checked_sub(MeritError::FIRST).and_then(|i| ERROR_DOCS.get(i as usize)) else {
        return 0;
    };
    let mut digits = [0u8; 4];
    let mut n = code;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let parts: [&[u8]; 7] = [
        b"AnchorError occurred. Error Code: ",
        name.as_bytes(),
        b". Error Number: ",
        &digits,
        b". Error Message: ",
        msg.as_bytes(),
        b".",
    ];
    let mut len = 0;
    for byte in parts.iter().flat_map(|p| p.iter()) {
        if let Some(slot) = buf.get_mut(len) {
            *slot = *byte;
            len += 1;
        }
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_error_line_matches_anchors_log_format() {
        let mut buf = [0u8; 200];
        let len = anchor_error_line(MeritError::InvalidProof, &mut buf);
        assert_eq!(
            std::str::from_utf8(&buf[..len]).unwrap(),
            "AnchorError occurred. Error Code: InvalidProof. Error Number: 6026. Error Message: Merkle proof does not lead to the root."
        );
        let longest = ERROR_DOCS.iter().map(|(n, m)| n.len() + m.len()).max().unwrap();
        assert!(longest + 70 < 200, "every line fits the log buffer");
    }

    #[test]
    fn docs_cover_every_code_in_order() {
        assert_eq!(ERROR_DOCS.len(), (MeritError::ClawbackToVault as u32 - MeritError::FIRST + 1) as usize);
        for (i, (name, _)) in ERROR_DOCS.iter().enumerate() {
            // SAFETY: the enum is `repr(u32)` with contiguous discriminants from 6000, one per
            // entry of ERROR_DOCS (the macro writes both from one list).
            let e: MeritError = unsafe { core::mem::transmute(MeritError::FIRST + i as u32) };
            assert_eq!(format!("{e:?}"), *name);
        }
        assert_eq!(MeritError::InvalidInstructionData as u32, 6000);
        assert_eq!(MeritError::ClawbackToVault as u32, 6038, "codes are appended, never renumbered");
    }
}
