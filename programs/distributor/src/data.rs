//! Little-endian field access over byte slices and a strict Borsh argument reader.
//!
//! Instruction data sits at arbitrary offsets, so every multi-byte read goes through these
//! helpers (the BPF backend turns them into byte loads, never a misaligned wide load).
use crate::errors::MeritError;
use crate::pubkey::Pubkey;

/// Reads a u64 stored little-endian at `at` (caller guarantees `at + 8 <= bytes.len()`).
#[inline(always)]
pub fn le_u64(bytes: &[u8], at: usize) -> u64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(v)
}

/// Reads Borsh arguments front to back; `finish` rejects trailing bytes so that truncated and
/// oversized instruction data both fail with `InvalidInstructionData`.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// Starts after the 8-byte instruction discriminator.
    #[inline(always)]
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 8 }
    }

    #[inline(always)]
    pub fn take(&mut self, len: usize) -> Result<&'a [u8], MeritError> {
        let end = self.at.checked_add(len).ok_or(MeritError::InvalidInstructionData)?;
        let slice = self.bytes.get(self.at..end).ok_or(MeritError::InvalidInstructionData)?;
        self.at = end;
        Ok(slice)
    }

    #[inline(always)]
    pub fn u64(&mut self) -> Result<u64, MeritError> {
        Ok(le_u64(self.take(8)?, 0))
    }

    #[inline(always)]
    pub fn i64(&mut self) -> Result<i64, MeritError> {
        Ok(self.u64()? as i64)
    }

    #[inline(always)]
    pub fn u32(&mut self) -> Result<u32, MeritError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    #[inline(always)]
    pub fn bytes32(&mut self) -> Result<Pubkey, MeritError> {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.take(32)?);
        Ok(out)
    }

    #[inline(always)]
    pub fn finish(self) -> Result<(), MeritError> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(MeritError::InvalidInstructionData)
        }
    }
}

/// Serializes Borsh fields into a fixed stack buffer (events and CPI data).
pub struct Writer<const N: usize> {
    pub buf: [u8; N],
    pub len: usize,
}

impl<const N: usize> Writer<N> {
    #[inline(always)]
    pub fn new() -> Self {
        Writer { buf: [0u8; N], len: 0 }
    }

    /// Panics (aborts the instruction) on overflow: buffer sizes are fixed per call site.
    #[inline(always)]
    pub fn put(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
        self
    }

    #[inline(always)]
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.put(&v.to_le_bytes())
    }

    #[inline(always)]
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.put(&v.to_le_bytes())
    }

    #[inline(always)]
    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl<const N: usize> Default for Writer<N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_rejects_truncated_and_trailing_bytes() {
        let mut data = vec![0u8; 8];
        data.extend_from_slice(&7u64.to_le_bytes());
        let mut r = Reader::new(&data);
        assert_eq!(r.u64(), Ok(7));
        assert_eq!(r.finish(), Ok(()));

        let mut r = Reader::new(&data[..15]);
        assert_eq!(r.u64(), Err(MeritError::InvalidInstructionData));

        let mut long = data.clone();
        long.push(0);
        let mut r = Reader::new(&long);
        r.u64().unwrap();
        assert_eq!(r.finish(), Err(MeritError::InvalidInstructionData));
    }

    #[test]
    fn reader_rejects_huge_lengths_without_overflow() {
        let data = vec![0u8; 8];
        let mut r = Reader::new(&data);
        assert_eq!(r.take(usize::MAX).err(), Some(MeritError::InvalidInstructionData));
    }
}
