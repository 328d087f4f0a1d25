//! Whole-workspace tests, one binary (ripgrep style).

mod bundled;
mod hostile;
mod limbo;
mod traces;
mod user_pem;
