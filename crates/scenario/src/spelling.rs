//! Spelling tables: how a scenario file (and AWS) writes each enumerated value.
//!
//! Every enum a scenario spells gets exactly one table, written once in a `spelled!`
//! invocation beside the enum; parsing, printing and the help listing valid values all read
//! it.

/// Gives a fieldless enum its spelling table: `ALL` (every value with its spelling, in the
/// order help texts list them), `as_str` and `from_spelling`.
macro_rules! spelled {
    ($ty:ident { $($variant:ident => $spelling:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value with its spelling, in the order the scenario reference (docs/scenario-reference.md) lists them.
            pub const ALL: &'static [(&'static str, $ty)] = &[$(($spelling, $ty::$variant)),+];

            /// The spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $spelling),+
                }
            }

            /// The value spelt exactly `text`, if any.
            pub fn from_spelling(text: &str) -> Option<Self> {
                Self::ALL
                    .iter()
                    .find(|(spelling, _)| *spelling == text)
                    .map(|(_, value)| *value)
            }
        }
    };
}

pub(crate) use spelled;
