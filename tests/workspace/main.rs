//! Whole-workspace tests, one binary (ripgrep style).

mod bundled;
mod traces;
mod user_pem;
