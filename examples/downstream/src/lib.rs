//! A project that checks its API Gateway → VPC link → NLB → target setup with hoplab.
//!
//! Its only dependency is `hoplab`; its tests (in `tests/`) load scenarios, stand them up on
//! loopback and assert on what API Gateway did. This library holds what those tests share.

use std::path::{Path, PathBuf};

/// A scenario the project runs, by file name: here hoplab's bundled ones, `scenarios/` at
/// the root of the hoplab repository.
pub fn scenario(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(file)
}
