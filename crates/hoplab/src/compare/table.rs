//! The text `hoplab compare` prints: a heading, one aligned row per combination that ran,
//! then what did not run and where the model disagreed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Comparison, Row, RowResult};

/// The prefix every configuration-error line shares; the table leaves it out.
const CONFIGURATION_ERROR: &str = "Execution failed due to configuration error: ";

impl Comparison {
    /// The comparison as an aligned table, followed by the combinations that did not run
    /// (grouped by reason), every disagreement and every error, and a count.
    pub fn table_text(&self) -> String {
        let mut out = String::new();
        let ran = self
            .rows
            .iter()
            .filter(|r| matches!(r.result, RowResult::Ran { .. }))
            .count();
        let _ = writeln!(
            out,
            "{}: route {}, {} combinations, {ran} run live",
            self.scenario,
            self.route,
            self.rows.len()
        );
        let _ = writeln!(
            out,
            "message: the execution log's failure line, after {:?}\n",
            CONFIGURATION_ERROR.trim_end()
        );
        aligned(&mut out, &self.lines());

        // What did not run, grouped by reason.
        let mut not_run: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for row in &self.rows {
            if let RowResult::NotRun { reason } = &row.result {
                not_run.entry(reason).or_default().push(row.label());
            }
        }
        for (reason, which) in &not_run {
            let _ = writeln!(out, "\nnot run ({} combinations): {reason}", which.len());
            for combination in which {
                let _ = writeln!(out, "  {combination}");
            }
        }
        for row in &self.rows {
            match &row.result {
                RowResult::Ran { disagreements, .. } if !disagreements.is_empty() => {
                    let _ = writeln!(out, "\nmodel disagrees with the live run: {}", row.label());
                    for d in disagreements {
                        let _ = writeln!(
                            out,
                            "  {}: predicted {}, observed {}",
                            d.field, d.predicted, d.observed
                        );
                    }
                }
                RowResult::Error { error } => {
                    let _ = writeln!(out, "\ncould not run {}: {error}", row.label());
                }
                _ => {}
            }
        }
        let disagreeing = self.rows.iter().filter(|r| r.disagrees()).count();
        let _ = writeln!(
            out,
            "\n{ran} run: {} agree with the model, {disagreeing} disagree",
            ran - disagreeing
        );
        out
    }

    /// The header and one line of cells per combination that ran.
    fn lines(&self) -> Vec<Vec<String>> {
        let mut header: Vec<String> = self.headings.iter().map(|h| (*h).to_owned()).collect();
        header.extend(["status", "validated", "model", "message"].map(String::from));
        let mut lines = vec![header];
        lines.extend(self.rows.iter().filter_map(cells));
        lines
    }
}

/// A row's cells, when it ran.
fn cells(row: &Row) -> Option<Vec<String>> {
    let RowResult::Ran {
        status,
        validated,
        error,
        disagreements,
    } = &row.result
    else {
        return None;
    };
    let mut cells: Vec<String> = row.settings.iter().map(|(_, v)| v.clone()).collect();
    cells.push(status.map_or_else(|| "none".to_owned(), |s| s.to_string()));
    cells.push(validated.clone().unwrap_or_else(|| "none".to_owned()));
    cells.push(if disagreements.is_empty() {
        "agrees".to_owned()
    } else {
        "DISAGREES".to_owned()
    });
    cells.push(match error {
        Some(error) => error
            .strip_prefix(CONFIGURATION_ERROR)
            .unwrap_or(error)
            .to_owned(),
        None => "-".to_owned(),
    });
    Some(cells)
}

/// Writes `lines` as columns padded to their widest cell; the last column is not padded.
fn aligned(out: &mut String, lines: &[Vec<String>]) {
    let columns = lines.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            lines
                .iter()
                .map(|l| l.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in lines {
        let mut text = String::new();
        for (c, cell) in line.iter().enumerate() {
            if c + 1 == line.len() {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell:<width$}  ", width = widths[c]);
            }
        }
        let _ = writeln!(out, "{}", text.trim_end());
    }
}
