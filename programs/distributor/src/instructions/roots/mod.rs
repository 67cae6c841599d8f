//! The root lifecycle: proposed by the publisher, vetoed by the guardian or admin, activated.
pub mod activate_root;
pub mod propose_root;
pub mod veto_root;
