//! Whole-workspace tests, one binary (ripgrep style).

mod bundled;
mod limbo;
mod traces;
mod user_pem;
