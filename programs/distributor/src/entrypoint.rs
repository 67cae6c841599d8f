//! Program entrypoint: parse the loader's input, dispatch, map errors to return codes.
use crate::account::parse_input;
use crate::errors::ProgramResult;

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
            crate::errors::log_error(e);
            e.into()
        }
    }
}
