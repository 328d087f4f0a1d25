//! Whole-workspace tests, one binary (ripgrep style).

mod bundled;
mod nlb;
mod traces;
mod user_pem;
