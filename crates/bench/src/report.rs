//! The printed figures: one table of figures with their references and ratios, and one of the
//! per-scenario breakdown.

use std::fmt::Write as _;
use std::time::Duration;

/// One figure and what it is compared with.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// The measurement's number in the issue (1 to 5).
    pub section: u8,
    /// What was measured.
    pub figure: String,
    /// hoplab's value, with its unit.
    pub hoplab: String,
    /// The reference's value and name.
    pub reference: String,
    /// hoplab / reference, oriented so that the target reads as a bound on it.
    pub ratio: Option<f64>,
    /// The target, as text.
    pub target: String,
    /// Whether the target was met; `None` when it has no target or was not measured.
    pub met: Option<bool>,
}

/// One scenario's breakdown, medians over its repetitions.
#[derive(Debug, Clone)]
pub struct ScenarioRow {
    /// The scenario's file name.
    pub name: String,
    /// Key generation (pooled RSA keys loaded).
    pub keygen: Duration,
    /// Certificate building and signing.
    pub signing: Duration,
    /// Listener start-up.
    pub startup: Duration,
    /// Requests: connections and handshakes through every hop.
    pub requests: Duration,
    /// Teardown.
    pub teardown: Duration,
    /// The whole scenario.
    pub total: Duration,
    /// `total / (5 × one handshake with its keygen)`.
    pub ratio: f64,
}

/// The figures table, markdown.
pub fn render_rows(rows: &[Row]) -> String {
    let mut out = String::from(
        "| # | figure | hoplab | reference | ratio | target | met |\n|---|---|---:|---:|---:|---|---|\n",
    );
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            row.section,
            row.figure,
            row.hoplab,
            row.reference,
            row.ratio
                .map_or_else(|| "–".to_owned(), |r| format!("{r:.2}")),
            if row.target.is_empty() {
                "–"
            } else {
                &row.target
            },
            match row.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "–",
            }
        );
    }
    out
}

/// The per-scenario table, markdown.
pub fn render_scenarios(rows: &[ScenarioRow], unit: Duration) -> String {
    let mut out = format!(
        "| scenario | keygen | signing | start-up | requests | teardown | total | × (5 × {}) | ≤ 1.0 |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n",
        ms(unit)
    );
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {:.2} | {} |",
            row.name,
            ms(row.keygen),
            ms(row.signing),
            ms(row.startup),
            ms(row.requests),
            ms(row.teardown),
            ms(row.total),
            row.ratio,
            if row.ratio <= 1.0 { "yes" } else { "**no**" }
        );
    }
    out
}

/// A duration in milliseconds, two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_show_ratio_and_verdict() {
        let text = render_rows(&[Row {
            section: 2,
            figure: "tcp".into(),
            hoplab: "1.0 GB/s".into(),
            reference: "0.9 GB/s".into(),
            ratio: Some(1.111),
            target: "≥ 1.0".into(),
            met: Some(true),
        }]);
        assert!(text.contains("| 2 | tcp | 1.0 GB/s | 0.9 GB/s | 1.11 | ≥ 1.0 | yes |"));
    }
}
