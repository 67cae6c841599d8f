//! merit Merkle format, version 1 (docs/merkle.md), the program's only implementation of it.
//!
//! ```text
//! leaf     = sha256( 0x00 || distributor (32) || claimant (32) || cumulative_amount (u64 LE, 8) )
//!                                                                   73 bytes hashed
//! node(a,b) = sha256( 0x01 || min(a, b) (32) || max(a, b) (32) )    65 bytes hashed
//! verify(root, leaf, proof) = fold(proof, leaf, (h, s) -> node(h, s)) == root
//! ```
//! `min`/`max` compare the 32 bytes lexicographically, so a proof is just the siblings, bottom
//! first, with no direction bits. The 0x00/0x01 prefixes keep an inner node from passing as a
//! leaf. An all-zero root (an epoch with no leaves) is unreachable by any proof.
use crate::syscalls::sha256;
use crate::pubkey::Pubkey;

pub const LEAF_PREFIX: [u8; 1] = [0x00];
pub const NODE_PREFIX: [u8; 1] = [0x01];
/// Deepest proof accepted: 2^32 leaves is far beyond any realistic epoch.
pub const MAX_PROOF_LEN: usize = 32;

/// Hash of the leaf that commits `claimant`'s cumulative total in `distributor`'s tree.
#[inline(always)]
pub fn leaf_hash(distributor: &Pubkey, claimant: &Pubkey, cumulative_amount: u64) -> [u8; 32] {
    let amount = cumulative_amount.to_le_bytes();
    sha256(&[&LEAF_PREFIX, distributor, claimant, &amount])
}

/// True when `a < b` as unsigned big-endian byte strings; exits at the first differing byte,
/// which for hashes is almost always the first.
#[inline(always)]
fn less_than(a: &[u8], b: &[u8]) -> bool {
    let mut i = 0;
    while i < 32 {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    false
}

/// Parent of two sibling hashes (sorted pair).
#[inline(always)]
pub fn node_hash(a: &[u8], b: &[u8]) -> [u8; 32] {
    if less_than(b, a) {
        sha256(&[&NODE_PREFIX, b, a])
    } else {
        sha256(&[&NODE_PREFIX, a, b])
    }
}

/// Folds `proof` (concatenated 32-byte siblings, bottom first) over `leaf` and compares the
/// result with `root`. The proof stays in the instruction data: no copy.
#[inline(never)]
pub fn verify(root: &[u8; 32], leaf: [u8; 32], proof: &[u8]) -> bool {
    let mut current = leaf;
    for sibling in proof.chunks_exact(32) {
        current = node_hash(&current, sibling);
    }
    crate::pubkey::keys_eq(&current, root) && proof.len() % 32 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference tree from docs/merkle.md: canonical claimant order, odd node promoted.
    pub fn build_levels(leaves: &[[u8; 32]]) -> Vec<Vec<[u8; 32]>> {
        let mut levels = vec![leaves.to_vec()];
        while levels.last().unwrap().len() > 1 {
            let prev = levels.last().unwrap();
            let next = prev.chunks(2).map(|p| if p.len() == 2 { node_hash(&p[0], &p[1]) } else { p[0] }).collect();
            levels.push(next);
        }
        levels
    }

    pub fn proof_for(levels: &[Vec<[u8; 32]>], mut index: usize) -> Vec<u8> {
        let mut proof = Vec::new();
        for level in &levels[..levels.len() - 1] {
            let sibling = index ^ 1;
            if sibling < level.len() {
                proof.extend_from_slice(&level[sibling]);
            }
            index /= 2;
        }
        proof
    }

    fn sample(n: u8) -> (Pubkey, Vec<(Pubkey, u64)>, Vec<[u8; 32]>) {
        let distributor = [0xd1; 32];
        let mut entries: Vec<(Pubkey, u64)> = (0..n).map(|i| ([i.wrapping_mul(37).wrapping_add(5); 32], 1000 + i as u64)).collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let leaves = entries.iter().map(|(c, a)| leaf_hash(&distributor, c, *a)).collect();
        (distributor, entries, leaves)
    }

    #[test]
    fn leaf_matches_the_documented_byte_layout() {
        let mut bytes = vec![0u8];
        bytes.extend_from_slice(&[7; 32]);
        bytes.extend_from_slice(&[8; 32]);
        bytes.extend_from_slice(&42u64.to_le_bytes());
        assert_eq!(bytes.len(), 73);
        assert_eq!(leaf_hash(&[7; 32], &[8; 32], 42), crate::host_sha256::sha256_parts(&[&bytes]));
    }

    #[test]
    fn node_sorts_the_pair_and_prefixes_0x01() {
        let (lo, hi) = ([1u8; 32], [2u8; 32]);
        let expected = crate::host_sha256::sha256_parts(&[&[1], &lo, &hi]);
        assert_eq!(node_hash(&lo, &hi), expected);
        assert_eq!(node_hash(&hi, &lo), expected);
    }

    #[test]
    fn every_leaf_verifies_in_trees_of_every_small_size() {
        for n in 1..=17u8 {
            let (distributor, entries, leaves) = sample(n);
            let levels = build_levels(&leaves);
            let root = levels.last().unwrap()[0];
            for (i, (claimant, amount)) in entries.iter().enumerate() {
                let proof = proof_for(&levels, i);
                assert!(verify(&root, leaf_hash(&distributor, claimant, *amount), &proof), "n={n} i={i}");
                assert!(!verify(&root, leaf_hash(&distributor, claimant, amount + 1), &proof));
                assert!(!verify(&root, leaf_hash(&[0xd2; 32], claimant, *amount), &proof));
            }
        }
    }

    #[test]
    fn a_single_leaf_is_its_own_root_and_zero_root_is_unreachable() {
        let (distributor, entries, leaves) = sample(1);
        assert!(verify(&leaves[0], leaf_hash(&distributor, &entries[0].0, entries[0].1), &[]));
        assert!(!verify(&[0; 32], leaf_hash(&distributor, &entries[0].0, entries[0].1), &[]));
    }

    #[test]
    fn ragged_proofs_fail() {
        let (_, _, leaves) = sample(4);
        let levels = build_levels(&leaves);
        let root = levels.last().unwrap()[0];
        let mut ragged = proof_for(&levels, 0);
        assert!(verify(&root, leaves[0], &ragged));
        ragged.push(0);
        assert!(!verify(&root, leaves[0], &ragged));
    }
}
