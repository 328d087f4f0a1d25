//! Why a report could not be produced.

/// A report could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The JUnit writer failed.
    #[error("writing junit xml: {0}")]
    Junit(String),
}
