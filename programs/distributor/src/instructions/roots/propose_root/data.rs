use crate::instructions::shared::args::args;

args! {
    /// `propose_root(epoch, root, cumulative_total, leaf_count, dataset_hash, inputs_hash)`
    pub struct ProposeRootData {
        epoch: u64,
        root: [u8; 32],
        cumulative_total: u64,
        leaf_count: u64,
        dataset_hash: [u8; 32],
        inputs_hash: [u8; 32],
    }
}
