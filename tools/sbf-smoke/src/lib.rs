//! Smoke program for the offline SBF pipeline. It exercises each thing the linker has to get
//! right: syscalls (`sol_log_`, `sol_log_data`, `sol_memcpy_` via a variable-size copy),
//! pointers stored in `.rodata` (a table of messages), calls between functions and an indirect
//! call through a function pointer (`callx`). Two Anchor-style instructions (`checksum` with
//! return data and an event, `fail` with error 6000) let tests drive it through Anchor's Program.
#![cfg_attr(target_arch = "bpf", no_std)]

#[cfg(target_arch = "bpf")]
mod syscalls {
    extern "C" {
        pub fn sol_log_(message: *const u8, len: u64);
        pub fn sol_log_data(slices: *const u8, count: u64);
        pub fn sol_set_return_data(data: *const u8, len: u64);
        pub fn abort() -> !;
    }
}

/// Messages addressed through a table of slices, so `.rodata` holds pointers that the linker
/// must resolve to absolute addresses.
#[cfg_attr(not(target_arch = "bpf"), allow(dead_code))]
static MESSAGES: [&str; 3] = ["smoke: empty", "smoke: short", "smoke: long"];

/// Anchor discriminators: sha256("global:checksum"), sha256("global:fail"),
/// sha256("event:Checksummed"), each cut to 8 bytes.
pub const CHECKSUM_IX: [u8; 8] = [151, 13, 164, 92, 84, 17, 49, 137];
pub const FAIL_IX: [u8; 8] = [88, 146, 59, 51, 123, 43, 123, 171];
pub const CHECKSUMMED_EVENT: [u8; 8] = [200, 222, 179, 238, 217, 9, 101, 251];
/// The first custom error code of an Anchor IDL.
pub const FAIL_CODE: u64 = 6000;

/// `checksum(data: bytes)`: Borsh `Vec<u8>` (u32 length, bytes) after the discriminator.
pub fn borsh_bytes(args: &[u8]) -> Option<&[u8]> {
    let len = u32::from_le_bytes(args.get(..4)?.try_into().ok()?) as usize;
    args.get(4..4 + len)
}

pub fn classify(data: &[u8]) -> usize {
    match data.len() {
        0 => 0,
        1..=8 => 1,
        _ => 2,
    }
}

/// Data the smoke test sends; comparing against a prefix of it makes a variable-length `bcmp`.
pub const GREETING: &[u8] = b"hello world, long data";

/// `checked_mul` (llvm.umul.with.overflow) and a variable-length slice comparison (bcmp): both
/// need the linker's lowering, since the BPF backend would call `__multi3` and libc's `bcmp`.
#[inline(never)]
#[allow(clippy::manual_saturating_arithmetic)] // checked_mul is what programs write
pub fn scale_and_match(sum: u64, data: &[u8]) -> (u64, bool) {
    let product = sum
        .checked_mul(data.len() as u64 + (1 << 40))
        .unwrap_or(u64::MAX);
    let prefix = &GREETING[..data.len().min(GREETING.len())];
    (product, data == prefix)
}

/// Sums the bytes through a function pointer picked at run time, so the compiler emits `callx`.
#[inline(never)]
pub fn checksum(data: &[u8], pick: usize) -> u64 {
    let ops: [fn(u64, u8) -> u64; 2] = [add_byte, xor_byte];
    let op = ops[pick % 2];
    data.iter().fold(0u64, |acc, b| op(acc, *b))
}

#[inline(never)]
fn add_byte(acc: u64, b: u8) -> u64 {
    acc.wrapping_add(u64::from(b))
}

#[inline(never)]
fn xor_byte(acc: u64, b: u8) -> u64 {
    acc.rotate_left(8) ^ u64::from(b)
}

/// # Safety
/// `input` must point at the runtime's serialized parameters (SBPF v0 layout). Only
/// transactions without accounts are accepted; the input is otherwise left unread.
#[cfg(target_arch = "bpf")]
#[no_mangle]
pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
    // SAFETY: the runtime's input starts with the account count (u64, aligned).
    let accounts = unsafe { core::ptr::read(input as *const u64) };
    if accounts != 0 {
        return 1;
    }
    // SAFETY: with no accounts, the instruction data length follows the count, then the data.
    let data = unsafe {
        let len = core::ptr::read(input.add(8) as *const u64) as usize;
        core::slice::from_raw_parts(input.add(16), len)
    };
    if data.len() >= 8 && data[..8] == FAIL_IX {
        return FAIL_CODE;
    }
    if data.len() >= 8 && data[..8] == CHECKSUM_IX {
        return checksum_instruction(&data[8..]);
    }
    let message = MESSAGES[classify(data)];
    // SAFETY: pointer and length come from a live &str.
    unsafe { syscalls::sol_log_(message.as_ptr(), message.len() as u64) };

    // A variable-size copy becomes a `sol_memcpy_` call after the linker's rewrite.
    let mut copy = [0u8; 64];
    let n = data.len().min(copy.len());
    copy[..n].copy_from_slice(&data[..n]);
    let sum = checksum(&copy[..n], n);
    let (product, matches) = scale_and_match(sum, data);
    let (sum, product) = (sum.to_le_bytes(), product.to_le_bytes());

    let fields: [&[u8]; 4] = [&copy[..n], &sum, &product, &[matches as u8]];
    // SAFETY: a &[u8] is (ptr, len) in memory, which is the layout sol_log_data reads.
    unsafe { syscalls::sol_log_data(fields.as_ptr() as *const u8, fields.len() as u64) };
    0
}

#[cfg(target_arch = "bpf")]
fn checksum_instruction(args: &[u8]) -> u64 {
    let Some(bytes) = borsh_bytes(args) else {
        return 2;
    };
    let sum = checksum(bytes, 0).to_le_bytes();
    let mut event = [0u8; 16];
    event[..8].copy_from_slice(&CHECKSUMMED_EVENT);
    event[8..].copy_from_slice(&sum);
    let fields: [&[u8]; 1] = [&event];
    // SAFETY: pointers and lengths come from live slices; sol_log_data reads (ptr, len) pairs.
    unsafe {
        syscalls::sol_log_data(fields.as_ptr() as *const u8, 1);
        syscalls::sol_set_return_data(sum.as_ptr(), sum.len() as u64);
    }
    0
}

#[cfg(target_arch = "bpf")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // SAFETY: abort never returns; the runtime ends the instruction with an error.
    unsafe { syscalls::abort() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_length() {
        assert_eq!(classify(&[]), 0);
        assert_eq!(classify(&[1; 8]), 1);
        assert_eq!(classify(&[1; 9]), 2);
    }

    #[test]
    fn scales_with_overflow_and_matches_prefixes() {
        assert_eq!(scale_and_match(2, b"hello"), (2 * (5 + (1 << 40)), true));
        assert_eq!(scale_and_match(1 << 30, b"help"), (u64::MAX, false));
        assert_eq!(scale_and_match(0, b""), (0, true));
    }

    #[test]
    fn reads_borsh_bytes() {
        assert_eq!(borsh_bytes(&[2, 0, 0, 0, 7, 8, 9]), Some(&[7u8, 8][..]));
        assert_eq!(borsh_bytes(&[3, 0, 0, 0, 7]), None);
        assert_eq!(borsh_bytes(&[3, 0]), None);
    }

    #[test]
    fn checksum_picks_the_operation() {
        assert_eq!(checksum(&[1, 2, 3], 0), 6);
        assert_eq!(checksum(&[1, 2, 3], 1), 0x010203);
    }
}
