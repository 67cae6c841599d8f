//! Thin wrappers over the Solana syscalls the program uses.
//!
//! On-chain they are `extern "C"` symbols resolved by the loader (murmur3 hash of the name);
//! on the host, hashing falls back to a software SHA-256 so the unit tests exercise the same
//! Merkle code, and the rest is unavailable (the flow tests run the real program in litesvm).
use crate::errors::MeritError;
use crate::pubkey::Pubkey;

#[cfg(any(target_arch = "bpf", target_arch = "sbf"))]
mod sys {
    extern "C" {
        pub fn sol_log_(message: *const u8, len: u64);
        pub fn sol_log_data(data: *const u8, data_len: u64);
        pub fn sol_sha256(vals: *const u8, val_len: u64, hash_result: *mut u8) -> u64;
        pub fn sol_invoke_signed_c(
            instruction: *const u8,
            account_infos: *const u8,
            account_infos_len: u64,
            signers_seeds: *const u8,
            signers_seeds_len: u64,
        ) -> u64;
        pub fn sol_get_clock_sysvar(addr: *mut u8) -> u64;
        pub fn sol_get_rent_sysvar(addr: *mut u8) -> u64;
        pub fn sol_get_return_data(data: *mut u8, length: u64, program_id: *mut u8) -> u64;
        pub fn sol_curve_validate_point(curve_id: u64, point: *const u8, result: *mut u8) -> u64;
        pub fn abort() -> !;
    }
}

/// SHA-256 over the concatenation of `parts`.
#[inline(always)]
pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut out = [0u8; 32];
    sha256_into(parts, &mut out);
    out
}

/// `sha256` written in place (into an 8-aligned key, say, without a byte-wise copy).
#[inline(always)]
pub fn sha256_into(parts: &[&[u8]], out: &mut [u8; 32]) {
    #[cfg(any(target_arch = "bpf", target_arch = "sbf"))]
    // SAFETY: a `&[u8]` is laid out as (pointer, length), the `SolBytes` pair the syscall reads;
    // `out` is 32 writable bytes. solana-program's `hashv` relies on the same layout.
    unsafe {
        sys::sol_sha256(parts.as_ptr() as *const u8, parts.len() as u64, out.as_mut_ptr());
    }
    #[cfg(not(any(target_arch = "bpf", target_arch = "sbf")))]
    {
        *out = crate::host_sha256::sha256_parts(parts);
    }
}

/// One slice as the sha256 syscall reads it (`SolBytes`: address, length). A slice list built
/// from these can point at a buffer that changes between calls without holding a borrow of it.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct RawBytes {
    pub addr: *const u8,
    pub len: u64,
}

impl RawBytes {
    #[inline(always)]
    pub fn of(bytes: &[u8]) -> Self {
        RawBytes { addr: bytes.as_ptr(), len: bytes.len() as u64 }
    }
}

/// `sha256_into` over `RawBytes` slices.
///
/// # Safety
/// Every slice must point at `len` readable bytes for the duration of the call.
#[inline(always)]
pub unsafe fn sha256_raw(parts: &[RawBytes], out: &mut [u8; 32]) {
    #[cfg(any(target_arch = "bpf", target_arch = "sbf"))]
    // SAFETY: `RawBytes` is the syscall's `SolBytes` layout; the caller guarantees the slices;
    // `out` is 32 writable bytes.
    unsafe {
        sys::sol_sha256(parts.as_ptr() as *const u8, parts.len() as u64, out.as_mut_ptr());
    }
    #[cfg(not(any(target_arch = "bpf", target_arch = "sbf")))]
    {
        // SAFETY: forwarded from the caller.
        let slices: Vec<&[u8]> = parts.iter().map(|p| unsafe { core::slice::from_raw_parts(p.addr, p.len as usize) }).collect();
        *out = crate::host_sha256::sha256_parts(&slices);
    }
}

/// Writes a message to the program log.
#[inline(always)]
pub fn log(msg: &str) {
    #[cfg(any(target_arch = "bpf", target_arch = "sbf"))]
    // SAFETY: pointer and length of a valid str.
    unsafe {
        sys::sol_log_(msg.as_ptr(), msg.len() as u64)
    }
    #[cfg(not(any(target_arch = "bpf", target_arch = "sbf")))]
    let _ = msg;
}

/// Emits one `Program data:` log line (Anchor's event channel).
#[inline(always)]
pub fn log_data(bytes: &[u8]) {
    #[cfg(any(target_arch = "bpf", target_arch = "sbf"))]
    {
        let parts: [&[u8]; 1] = [bytes];
        // SAFETY: same (pointer, length) layout as in `sha256`.
        unsafe { sys::sol_log_data(parts.as_ptr() as *const u8, 1) }
    }
    #[cfg(not(any(target_arch = "bpf", target_arch = "sbf")))]
    let _ = bytes;
}

/// Whether 32 bytes decompress to a point of the ed25519 curve (`sol_curve_validate_point`,
/// 159 CU): the test that makes an address a valid PDA when it fails.
#[inline(always)]
pub fn is_on_curve(point: &[u8; 32]) -> bool {
    #[cfg(any(target_arch = "bpf", target_arch = "sbf"))]
    {
        const CURVE25519_EDWARDS: u64 = 0;
        let mut unused = 0u8;
        // SAFETY: 32 readable bytes; the result pointer is never written by this syscall.
        unsafe { sys::sol_curve_validate_point(CURVE25519_EDWARDS, point.as_ptr(), &mut unused) == 0 }
    }
    #[cfg(not(any(target_arch = "bpf", target_arch = "sbf")))]
    {
        let _ = point;
        unimplemented!("curve syscall: on-chain only (the flow tests cover it)")
    }
}

/// Cross-program invocation with the C ABI; a failing callee aborts the whole instruction.
///
/// # Safety
/// `instruction`, `infos` and `signers` must point at valid `cpi` structures whose inner
/// pointers stay alive for the call.
#[inline(always)]
pub unsafe fn invoke_signed(instruction: *const u8, infos: *const u8, infos_len: u64, signers: *const u8, signers_len: u64) -> Result<(), MeritError> {
    #[cfg(any(target_arch = "bpf", target_arch = "sbf"))]
    {
        // SAFETY: forwarded from the caller's contract.
        let rc = unsafe { sys::sol_invoke_signed_c(instruction, infos, infos_len, signers, signers_len) };
        if rc == 0 {
            Ok(())
        } else {
            Err(MeritError::CpiFailed)
        }
    }
    #[cfg(not(any(target_arch = "bpf", target_arch = "sbf")))]
    {
        let _ = (instruction, infos, infos_len, signers, signers_len);
        Err(MeritError::CpiFailed)
    }
}

/// The cluster's unix timestamp (Clock sysvar).
#[inline(always)]
pub fn unix_timestamp() -> Result<i64, MeritError> {
    #[cfg(any(target_arch = "bpf", target_arch = "sbf"))]
    {
        // Clock: slot, epoch_start_timestamp, epoch, leader_schedule_epoch, unix_timestamp.
        let mut clock = [0u64; 5];
        // SAFETY: 40 writable, 8-aligned bytes, the size of the Clock sysvar.
        let rc = unsafe { sys::sol_get_clock_sysvar(clock.as_mut_ptr() as *mut u8) };
        if rc != 0 {
            return Err(MeritError::SysvarUnavailable);
        }
        Ok(clock[4] as i64)
    }
    #[cfg(not(any(target_arch = "bpf", target_arch = "sbf")))]
    Err(MeritError::SysvarUnavailable)
}

/// Lamports that make an account of `data_len` bytes rent-exempt, without floating point:
/// the exemption threshold (an f64 in the Rent sysvar, 2.0 or 1.0 in practice) must be a small
/// whole number.
#[inline(always)]
pub fn rent_exempt_minimum(data_len: u64) -> Result<u64, MeritError> {
    #[cfg(any(target_arch = "bpf", target_arch = "sbf"))]
    {
        // Rent: lamports_per_byte_year u64, exemption_threshold f64, burn_percent u8 (+ padding).
        let mut rent = [0u64; 3];
        // SAFETY: 24 writable, 8-aligned bytes cover the 17-byte Rent sysvar.
        let rc = unsafe { sys::sol_get_rent_sysvar(rent.as_mut_ptr() as *mut u8) };
        if rc != 0 {
            return Err(MeritError::SysvarUnavailable);
        }
        minimum_balance(rent[0], rent[1], data_len)
    }
    #[cfg(not(any(target_arch = "bpf", target_arch = "sbf")))]
    {
        let _ = data_len;
        Err(MeritError::SysvarUnavailable)
    }
}

/// Account storage overhead the runtime adds to every account's size for rent.
const ACCOUNT_STORAGE_OVERHEAD: u64 = 128;

/// `(128 + data_len) * lamports_per_byte_year * threshold` with the threshold decoded from its
/// IEEE-754 bits; a fractional or huge threshold is refused rather than approximated.
///
/// Each factor is bounded (size ≤ 2^24 bytes, ≤ 2^28 lamports per byte, threshold < 2^10) so the
/// product stays below 2^62 without an overflow check: `checked_mul`, and even `a > MAX / b`
/// (which LLVM folds back into it), lower to a 128-bit multiply the BPF backend lacks.
#[inline(always)]
pub fn minimum_balance(lamports_per_byte_year: u64, threshold_bits: u64, data_len: u64) -> Result<u64, MeritError> {
    let exponent = ((threshold_bits >> 52) & 0x7ff) as i64 - 1023;
    let mantissa = (threshold_bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    if threshold_bits >> 63 != 0 || !(0..=9).contains(&exponent) {
        return Err(MeritError::SysvarUnavailable);
    }
    let shift = 52 - exponent as u32;
    if mantissa & ((1u64 << shift) - 1) != 0 {
        return Err(MeritError::SysvarUnavailable);
    }
    let threshold = mantissa >> shift;
    if data_len > MAX_ACCOUNT_SIZE || lamports_per_byte_year > 1 << 28 {
        return Err(MeritError::SysvarUnavailable);
    }
    let bytes = ACCOUNT_STORAGE_OVERHEAD.wrapping_add(data_len);
    Ok(bytes.wrapping_mul(lamports_per_byte_year).wrapping_mul(threshold))
}

/// Largest account the runtime allows (10 MiB); keeps the rent product in range.
const MAX_ACCOUNT_SIZE: u64 = 10 * 1024 * 1024;

/// Reads the return data the last CPI set, if it came from `expected_program`.
#[inline(always)]
pub fn return_data_u64(expected_program: &Pubkey) -> Result<u64, MeritError> {
    #[cfg(any(target_arch = "bpf", target_arch = "sbf"))]
    {
        let mut buf = [0u8; 8];
        let mut program = [0u8; 32];
        // SAFETY: both outputs are writable locals of the stated sizes.
        let len = unsafe { sys::sol_get_return_data(buf.as_mut_ptr(), 8, program.as_mut_ptr()) };
        if len != 8 || !crate::pubkey::keys_eq(&program, expected_program) {
            return Err(MeritError::CpiFailed);
        }
        Ok(u64::from_le_bytes(buf))
    }
    #[cfg(not(any(target_arch = "bpf", target_arch = "sbf")))]
    {
        let _ = expected_program;
        Err(MeritError::CpiFailed)
    }
}

/// Panics cannot format (no `core::fmt` in the build): log a fixed line and abort.
#[cfg(any(target_arch = "bpf", target_arch = "sbf"))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    log("merit-distributor: panic");
    // SAFETY: `abort` never returns; the runtime fails the instruction.
    unsafe { sys::abort() }
}

#[cfg(test)]
mod tests {
    use super::minimum_balance;

    #[test]
    fn rent_with_threshold_two_matches_the_runtime_formula() {
        // 165-byte token account at 3480 lamports/byte-year, threshold 2.0: 2,039,280 lamports.
        assert_eq!(minimum_balance(3480, 2.0f64.to_bits(), 165), Ok(2_039_280));
        assert_eq!(minimum_balance(6960, 1.0f64.to_bits(), 0), Ok(890_880));
    }

    #[test]
    fn fractional_or_negative_thresholds_are_refused() {
        assert!(minimum_balance(3480, 1.5f64.to_bits(), 0).is_err());
        assert!(minimum_balance(3480, (-2.0f64).to_bits(), 0).is_err());
        assert!(minimum_balance(3480, 0.5f64.to_bits(), 0).is_err());
        assert!(minimum_balance(3480, 2.0f64.to_bits(), u64::MAX - 100).is_err());
        assert!(minimum_balance(u64::MAX, 2.0f64.to_bits(), 0).is_err());
    }
}
