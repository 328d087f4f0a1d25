//! [`Error`]: everything the facade's functions can fail with, one variant per layer.

/// Why a hoplab call failed. Each variant wraps the error of the layer that failed, so its
/// message is that layer's own (lower case, with the file, line or address it concerns), and
/// [`std::error::Error::source`] leads to the cause.
///
/// A request that gets an unexpected answer is not an error: it is a failed expectation in
/// the [`crate::Report`]. Errors are what kept hoplab from giving a verdict at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario could not be read, or is invalid: every problem found, each with its file,
    /// line, column, field and what would be valid.
    #[error(transparent)]
    Scenario(#[from] hoplab_scenario::LoadError),
    /// The scenario's topology could not be stood up (certificates, a socket, a task).
    #[error(transparent)]
    Run(#[from] hoplab_runner::RunError),
    /// The scenario's certificates could not be generated.
    #[error(transparent)]
    Certificates(#[from] hoplab_pki::PkiError),
    /// A chain could not be judged, a probe could not connect, or certificate files could not
    /// be read or written.
    #[error(transparent)]
    Inspect(#[from] hoplab_inspect::InspectError),
    /// A path given to a [`crate::Suite`] does not exist or cannot be read.
    #[error(transparent)]
    Discover(#[from] hoplab_scenario::DiscoverError),
    /// A [`crate::Suite`] has no scenario file to run (none found, or none matched).
    #[error("no scenario files to run")]
    NoScenarioFiles,
    /// [`crate::compare`] was given a scenario without a `[matrix]` section.
    #[error(
        "the scenario has no [matrix] section to compare (see the scenario reference (docs/scenario-reference.md))"
    )]
    NoMatrix,
    /// Patch operations are malformed, unsupported, or leave a route AWS would refuse.
    #[error(transparent)]
    Patch(#[from] hoplab_import::PatchError),
    /// AWS CLI exports are not the JSON the AWS CLI prints.
    #[error(transparent)]
    Import(#[from] hoplab_import::ImportError),
    /// A JUnit report could not be written.
    #[error(transparent)]
    Render(#[from] hoplab_render::RenderError),
}

/// A `Result` whose error is hoplab's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
