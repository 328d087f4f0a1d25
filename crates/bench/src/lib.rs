//! Benchmarks of hoplab on loopback, printed as medians and ratios measured in one run.
//!
//! Every figure compares hoplab's real libraries, on real sockets bound to `127.0.0.1`, with a
//! reference measured in the same run: a direct connection, HAProxy from the distribution, or a
//! single rustls handshake. The hoplab NLB under test runs in a child process (this same
//! binary, `serve-nlb`) so that its CPU time and resident memory can be read from procfs just
//! like HAProxy's. Every load loop stops at a count and at a deadline, whichever comes first,
//! and every process started is stopped by its PID.
//!
//! # Layout
//! - `plan`: how much work each mode (full, quick, smoke) does.
//! - `machine`: cores, kernel and tool versions printed with the figures.
//! - `stats`: medians, percentiles and ratios.
//! - `procfs`: resident memory, CPU time and the open-file limit.
//! - `certs`: the ECDSA P-256 certificate every TLS measurement serves.
//! - `haproxy`: HAProxy in `mode tcp` (plain or terminating TLS) or `mode http` (re-encrypting
//!   or terminating TLS), started and stopped by PID.
//! - `sut`: the hoplab NLB child process, both its parent-side handle and its own body.
//! - `load`: the sink backend and the load generators (bulk, handshakes, idle, HTTP).
//! - `scenario_cost`: the bundled scenario library, whole and broken down per scenario.
//! - `whole_library`: `hoplab test scenarios/` as a process, against the one-second target,
//!   with the load average it ran under.
//! - `gateway`: requests through gateway → NLB → target against direct to the target.
//! - `alb`: the ALB HTTPS listener in front of an HTTP target, against HAProxy terminating TLS.
//! - `dashboard`: the gateway's requests per second with ten subscribers to the dashboard's
//!   event stream against none, on a lab run as `hoplab up` runs it.
//! - `report`: the printed table.
//! - `run`: the whole benchmark in order.

#![warn(missing_docs)]

pub mod alb;
pub mod certs;
pub mod dashboard;
pub mod gateway;
pub mod haproxy;
pub mod load;
pub mod machine;
pub mod plan;
pub mod procfs;
pub mod report;
pub mod run;
pub mod scenario_cost;
pub mod stats;
pub mod sut;
pub mod whole_library;

mod error;

pub use error::BenchError;
