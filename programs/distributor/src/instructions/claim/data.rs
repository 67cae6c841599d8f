use crate::data::Reader;
use crate::errors::MeritError;
use crate::instructions::shared::args::{args, Arg};
use crate::merkle::MAX_PROOF_LEN;

args! {
    /// `claim(cumulative_amount: u64, proof: Vec<[u8; 32]>)`
    pub struct ClaimData<'a> {
        cumulative_amount: u64,
        proof: Proof<'a>,
    }
}

/// `Vec<[u8; 32]>` of at most `MAX_PROOF_LEN` siblings, left in the instruction data as
/// concatenated 32-byte siblings.
pub struct Proof<'a>(pub &'a [u8]);

impl<'a> Arg<'a> for Proof<'a> {
    #[inline(always)]
    fn read(r: &mut Reader<'a>) -> Result<Self, MeritError> {
        let count = r.u32()? as usize;
        if count > MAX_PROOF_LEN {
            return Err(MeritError::ProofTooLong);
        }
        Ok(Proof(r.take(count * 32)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(amount: u64, count: u32, body: usize) -> Vec<u8> {
        let mut v = vec![0u8; 8];
        v.extend_from_slice(&amount.to_le_bytes());
        v.extend_from_slice(&count.to_le_bytes());
        v.resize(v.len() + body, 7);
        v
    }

    #[test]
    fn parses_exact_proofs_only() {
        let ok = encode(5, 2, 64);
        let parsed = ClaimData::parse(&ok).unwrap();
        assert_eq!((parsed.cumulative_amount, parsed.proof.0.len()), (5, 64));
        assert_eq!(ClaimData::parse(&encode(5, 2, 63)).err(), Some(MeritError::InvalidInstructionData));
        assert_eq!(ClaimData::parse(&encode(5, 2, 65)).err(), Some(MeritError::InvalidInstructionData));
        assert_eq!(ClaimData::parse(&encode(5, u32::MAX, 0)).err(), Some(MeritError::ProofTooLong));
        assert_eq!(ClaimData::parse(&ok[..19]).err(), Some(MeritError::InvalidInstructionData));
    }
}
