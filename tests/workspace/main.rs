//! Whole-workspace tests, one binary (ripgrep style).

mod bundled;
mod downstream;
mod faults;
mod hostile;
mod limbo;
mod live;
mod model_property;
mod nlb;
mod security;
mod soak;
mod traces;
mod user_pem;
