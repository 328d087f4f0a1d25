//! Exit codes for `hoplab check` and `hoplab probe`.

use crate::{CheckReport, InspectError};

/// API Gateway would accept the chain.
pub const EXIT_ACCEPTED: u8 = 0;
/// API Gateway would refuse the chain (also when a `CERTIFICATE` section does not hold a
/// certificate the JDK can parse: that is the JDK's `Failed to parse server certificates`).
pub const EXIT_REJECTED: u8 = 1;
/// No verdict: unreadable file, no `CERTIFICATE` section, broken PEM framing, or the server
/// could not be reached.
pub const EXIT_UNUSABLE: u8 = 2;

/// The exit code for the outcome of [`crate::check`] or [`crate::probe`].
pub fn exit_code<R: AsRef<CheckReport>>(result: &Result<R, InspectError>) -> u8 {
    match result {
        Ok(report) => report.as_ref().exit_code(),
        Err(error) => error.exit_code(),
    }
}
