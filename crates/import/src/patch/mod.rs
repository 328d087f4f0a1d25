//! API Gateway `update-integration` patch operations, applied to scenario routes.
//!
//! `parse` reads the AWS CLI's `--patch-operations` text (shorthand or JSON) into
//! [`PatchOp`]s; `apply` changes routes the way the same operations change an integration,
//! and validates the patched scenario again by the scenario's rules.

mod apply;
mod parse;

pub use apply::{RouteSelector, SUPPORTED, apply_to_scenario};
pub use parse::parse_patch_operations;

/// One JSON Patch operation as API Gateway takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchOp {
    /// The operation.
    pub op: Op,
    /// A JSON Pointer into the integration, such as `/tlsConfig/insecureSkipVerification`.
    pub path: String,
    /// The new value (API Gateway takes every value as a string).
    pub value: Option<String>,
    /// The source path of `move` and `copy`.
    pub from: Option<String>,
}

/// A patch operation's `op`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `add`.
    Add,
    /// `remove`.
    Remove,
    /// `replace`.
    Replace,
    /// `move`.
    Move,
    /// `copy`.
    Copy,
    /// `test`.
    Test,
}

impl Op {
    /// Every op with its spelling.
    pub const ALL: [(&'static str, Op); 6] = [
        ("add", Op::Add),
        ("remove", Op::Remove),
        ("replace", Op::Replace),
        ("move", Op::Move),
        ("copy", Op::Copy),
        ("test", Op::Test),
    ];

    /// The spelling AWS uses.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, op)| *op == self)
            .map_or("replace", |(s, _)| *s)
    }

    /// Reads an op (exact, lower-case spelling).
    fn parse(text: &str) -> Option<Op> {
        Self::ALL
            .iter()
            .find(|(s, _)| *s == text)
            .map(|(_, op)| *op)
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
