//! Program entrypoint: parse the loader's input, dispatch, map errors to return codes.
use crate::account::parse_input;
use crate::errors::{anchor_error_line, MeritError, ProgramResult};

/// Runs one instruction against a serialized input buffer.
///
/// # Safety
/// `input` must point at the loader's serialized input (see `account`).
#[inline(always)]
pub unsafe fn process(input: *mut u8) -> ProgramResult {
    // SAFETY: forwarded from the caller.
    let parsed = unsafe { parse_input(input) };
    crate::instructions::dispatch(&parsed.accounts[..parsed.count], parsed.data)
}

/// The symbol the SBPF loader calls; returns 0 or the custom error code (6000+).
///
/// # Safety
/// Called by the runtime with its input buffer.
#[cfg(any(target_arch = "bpf", target_arch = "sbf"))]
#[no_mangle]
pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
    // SAFETY: the runtime passes its serialized input.
    match unsafe { process(input) } {
        Ok(()) => 0,
        Err(e) => {
            log_error(e);
            e.into()
        }
    }
}

/// Logs `AnchorError occurred. Error Code: <Name>. Error Number: <n>. Error Message: <msg>.`, the
/// line Anchor programs print, so `@coral-xyz/anchor` raises an `AnchorError` with the name.
/// Only failing instructions pay for it.
pub fn log_error(error: MeritError) {
    let mut buf = [0u8; 200];
    let len = anchor_error_line(error, &mut buf);
    if let Some(line) = buf.get(..len) {
        // SAFETY: the line is made of ASCII names, messages and digits only.
        crate::syscalls::log(unsafe { core::str::from_utf8_unchecked(line) });
    }
}
