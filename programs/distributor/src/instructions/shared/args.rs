//! Instruction arguments declared once: `args!` writes the struct and its strict Borsh parser
//! (fields read in declaration order, truncated or trailing bytes refused with
//! `InvalidInstructionData`), and idl/generate.mjs writes the IDL's `args` from the same
//! declaration, so the IDL and the parser cannot disagree.
use crate::data::Reader;
use crate::errors::MeritError;

/// A Borsh argument type.
pub trait Arg<'a>: Sized {
    fn read(r: &mut Reader<'a>) -> Result<Self, MeritError>;
}

impl Arg<'_> for u64 {
    #[inline(always)]
    fn read(r: &mut Reader<'_>) -> Result<Self, MeritError> {
        r.u64()
    }
}

impl Arg<'_> for i64 {
    #[inline(always)]
    fn read(r: &mut Reader<'_>) -> Result<Self, MeritError> {
        r.i64()
    }
}

/// `pubkey` or `[u8; 32]` (one Rust type; the IDL tells them apart by the declared name).
impl Arg<'_> for [u8; 32] {
    #[inline(always)]
    fn read(r: &mut Reader<'_>) -> Result<Self, MeritError> {
        r.bytes32()
    }
}

/// `args! { /// doc  pub struct Name<'a>? { field: Type, ... } }`. Field types: `u64`, `i64`,
/// `Pubkey`, `[u8; 32]`, and the `Arg` types idl/generate.mjs maps (`Params`, `Proof<'a>`).
macro_rules! args {
    ($(#[$doc:meta])* pub struct $name:ident<$lt:lifetime> { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        pub struct $name<$lt> { $(pub $field: $ty),* }

        impl<$lt> $name<$lt> {
            #[inline(always)]
            pub fn parse(data: &$lt [u8]) -> Result<Self, $crate::errors::MeritError> {
                use $crate::instructions::shared::args::Arg;
                let mut r = $crate::data::Reader::new(data);
                let parsed = $name { $($field: <$ty as Arg<$lt>>::read(&mut r)?),* };
                r.finish()?;
                Ok(parsed)
            }
        }
    };
    ($(#[$doc:meta])* pub struct $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        pub struct $name { $(pub $field: $ty),* }

        impl $name {
            #[inline(always)]
            pub fn parse(data: &[u8]) -> Result<Self, $crate::errors::MeritError> {
                use $crate::instructions::shared::args::Arg;
                let mut r = $crate::data::Reader::new(data);
                let parsed = $name { $($field: <$ty as Arg<'_>>::read(&mut r)?),* };
                r.finish()?;
                Ok(parsed)
            }
        }
    };
}
pub(crate) use args;
