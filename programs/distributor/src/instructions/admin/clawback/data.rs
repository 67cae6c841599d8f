use crate::instructions::shared::args::args;

args! {
    /// `clawback(amount: u64)`
    pub struct ClawbackData {
        amount: u64,
    }
}
