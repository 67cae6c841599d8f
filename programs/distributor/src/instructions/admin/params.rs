//! `DistributorParams`, shared by initialize_distributor and set_params.
use crate::data::Reader;
use crate::instructions::shared::args::Arg;
use crate::errors::MeritError;
use crate::state::distributor::Distributor;

/// Longest activation delay or grace period accepted (one year): keeps time math in i64 range.
pub const MAX_DURATION: u64 = 365 * 24 * 60 * 60;
/// Notice a claim expiry must give when it is set on a distributor that had none (30 days).
pub const MIN_EXPIRY_NOTICE: i64 = 30 * 24 * 60 * 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    pub activation_delay: u64,
    pub grace_period: u64,
    pub max_total_increase: u64,
    pub claim_expiry: i64,
}

/// Borsh `DistributorParams` (the IDL type lists the same fields in this order).
impl Arg<'_> for Params {
    #[inline(always)]
    fn read(r: &mut Reader<'_>) -> Result<Self, MeritError> {
        Ok(Params { activation_delay: r.u64()?, grace_period: r.u64()?, max_total_increase: r.u64()?, claim_expiry: r.i64()? })
    }
}

impl Params {
    /// Bounds the durations; the expiry is 0 (never) or in the future; once set it may only move
    /// later, and replacing "never" needs 30 days' notice, so the admin cannot shorten the claim
    /// window to sweep owed tokens.
    pub fn validate(&self, previous_expiry: Option<i64>, now: i64) -> Result<(), MeritError> {
        if self.activation_delay > MAX_DURATION || self.grace_period > MAX_DURATION {
            return Err(MeritError::InvalidParams);
        }
        let expiry = self.claim_expiry;
        let ok = match previous_expiry {
            None => expiry == 0 || expiry > now,
            Some(previous) if previous == expiry => true,
            Some(0) => expiry == 0 || expiry >= now.saturating_add(MIN_EXPIRY_NOTICE),
            Some(previous) => expiry > previous,
        };
        if ok && expiry >= 0 { Ok(()) } else { Err(MeritError::InvalidParams) }
    }

    #[inline(always)]
    pub fn apply(&self, d: &mut Distributor) {
        d.activation_delay = self.activation_delay;
        d.grace_period = self.grace_period;
        d.max_total_increase = self.max_total_increase;
        d.claim_expiry = self.claim_expiry;
    }

    #[inline(always)]
    pub fn emit(&self, distributor: &crate::pubkey::Pubkey) {
        use crate::events::{Event, ParamsUpdated};
        ParamsUpdated {
            distributor: *distributor,
            activation_delay: self.activation_delay,
            grace_period: self.grace_period,
            max_total_increase: self.max_total_increase,
            claim_expiry: self.claim_expiry,
        }
        .emit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(expiry: i64) -> Params {
        Params { activation_delay: 60, grace_period: 60, max_total_increase: 1, claim_expiry: expiry }
    }

    #[test]
    fn expiry_is_never_or_future_and_only_moves_later() {
        assert!(p(0).validate(None, 100).is_ok());
        assert!(p(101).validate(None, 100).is_ok());
        assert_eq!(p(100).validate(None, 100), Err(MeritError::InvalidParams));
        assert!(p(500).validate(Some(500), 1_000).is_ok());
        assert!(p(600).validate(Some(500), 100).is_ok());
        assert_eq!(p(400).validate(Some(500), 100), Err(MeritError::InvalidParams));
        assert_eq!(p(0).validate(Some(500), 100), Err(MeritError::InvalidParams));
        assert_eq!(p(500).validate(Some(0), 100), Err(MeritError::InvalidParams));
        assert!(p(100 + MIN_EXPIRY_NOTICE).validate(Some(0), 100).is_ok());
        assert_eq!(p(99 + MIN_EXPIRY_NOTICE).validate(Some(0), 100), Err(MeritError::InvalidParams));
    }

    #[test]
    fn durations_are_bounded() {
        let mut bad = p(0);
        bad.grace_period = MAX_DURATION + 1;
        assert_eq!(bad.validate(None, 0), Err(MeritError::InvalidParams));
        bad.grace_period = 0;
        bad.activation_delay = u64::MAX;
        assert_eq!(bad.validate(None, 0), Err(MeritError::InvalidParams));
    }
}
