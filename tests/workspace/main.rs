//! Whole-workspace tests, one binary (ripgrep style).

mod alb;
mod bundled;
mod chains;
mod documented;
mod downstream;
mod expectations;
mod faults;
mod fidelity_scenarios;
mod hostile;
mod limbo;
mod live;
mod model_property;
mod nlb;
mod oracle;
mod oracle_setup;
mod random_chains;
mod security;
mod soak;
mod traces;
mod user_pem;
