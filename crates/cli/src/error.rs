//! The one way the command reports an error: [`Failure`], printed by [`print()`] as
//! `<context>: <error>`.
//!
//! Every command returns its errors to `main` (or, when it carries on after one, prints it
//! here itself), so every message on stderr has the same shape: what the command was doing
//! (`hoplab test`, `hoplab: <file>`), then the library's own message. A scenario's located
//! errors already name their file and are printed alone.

use std::fmt;

/// An error that leaves a command without a verdict (exit code 2), with what the command
/// was doing when it happened.
#[derive(Debug)]
pub(crate) struct Failure {
    context: Option<String>,
    error: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl Failure {
    /// A failure the command itself finds, such as an argument it cannot use.
    pub(crate) fn message(context: impl fmt::Display, message: impl Into<String>) -> Failure {
        Failure {
            context: Some(context.to_string()),
            error: message.into().into(),
        }
    }
}

/// An error printed as it is (it names its file itself).
impl<E: std::error::Error + Send + Sync + 'static> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure {
            context: None,
            error: Box::new(error),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.context {
            Some(context) => write!(f, "{context}: {}", self.error),
            None => write!(f, "{}", self.error),
        }
    }
}

/// Says what the command was doing when an error happened.
pub(crate) trait Context<T> {
    /// Turns the error into a [`Failure`] printed after `context`.
    fn context(self, context: impl fmt::Display) -> Result<T, Failure>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> Context<T> for Result<T, E> {
    fn context(self, context: impl fmt::Display) -> Result<T, Failure> {
        self.map_err(|error| Failure {
            context: Some(context.to_string()),
            error: Box::new(error),
        })
    }
}

/// The one error printer: the failure on stderr, on one line.
pub(crate) fn print(failure: &Failure) {
    eprintln!("{failure}");
}
