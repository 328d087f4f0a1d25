//! What a validated scenario was made from: the file's form and where errors in it are
//! located. [`crate::Scenario::to_builder`] starts from it, so a changed scenario is
//! validated again with its errors located in the original file.

use std::fmt;
use std::sync::Arc;

use crate::raw::RawScenario;

/// A scenario in the file's form, with the text its spans point into.
#[derive(Clone, Default)]
pub(crate) struct Source {
    /// The scenario as written (or as a builder wrote it).
    pub(crate) raw: RawScenario,
    /// The text `raw`'s spans index (empty for a builder's own values).
    pub(crate) text: Arc<str>,
    /// The file name errors name.
    pub(crate) file: String,
    /// The name a scenario without `[scenario] name` takes (a loaded file's stem).
    pub(crate) default_name: String,
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Source")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}
