//! Byte offsets → file locations and dotted field paths.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::ScenarioError;
use crate::model::Location;

/// Turns byte offsets into 1-based lines and columns (columns count characters).
pub(crate) struct Locator<'a> {
    file: &'a str,
    text: &'a str,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(text: &'a str, file: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Locator {
            file,
            text,
            line_starts,
        }
    }

    /// The file name errors are reported against.
    pub(crate) fn file(&self) -> &str {
        self.file
    }

    /// The location of byte `offset` (clamped to the text).
    pub(crate) fn locate(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        // line_starts[0] == 0 <= offset, so the partition point is at least 1.
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = match self.text.get(start..offset) {
            Some(prefix) => prefix.chars().count(),
            None => offset - start,
        };
        Location {
            file: self.file.to_owned(),
            line,
            column: column + 1,
        }
    }

    /// An error at `offset` for a TOML syntax or shape problem, with the field path found in
    /// `doc` (when one is known).
    pub(crate) fn toml_error(
        &self,
        error: &toml::de::Error,
        doc: Option<&DeTable<'_>>,
    ) -> ScenarioError {
        let span = error.span().unwrap_or(0..0);
        let segments = doc.map(|doc| path_at(doc, &span)).unwrap_or_default();
        let mut field = render_path(&segments);
        let message = error.message().trim().to_owned();
        let mut help = None;
        if let Some(missing) = missing_field(&message) {
            field = if field.is_empty() {
                key_segment(missing)
            } else {
                format!("{field}.{}", key_segment(missing))
            };
            help = Some(if missing == "uri" && field.starts_with("gateway.routes") {
                // AWS refuses an integration without a URI, VPC_LINK ones included.
                "`uri` is required here: API Gateway refuses an integration without one \
                 (Invalid integration URI specified)"
                    .to_owned()
            } else {
                format!("`{missing}` is required here")
            });
        } else if let Some(lesson) = super::teach::lesson(&message, &field) {
            return self.error_at(span.start, field, lesson.message, lesson.help);
        }
        self.error_at(span.start, field, message, help)
    }

    fn error_at(
        &self,
        offset: usize,
        field: String,
        message: String,
        help: Option<String>,
    ) -> ScenarioError {
        ScenarioError {
            location: self.locate(offset),
            field: if field.is_empty() {
                "(document)".to_owned()
            } else {
                field
            },
            message,
            help,
            rule: None,
        }
    }
}

/// The key named by serde's "missing field `x`" message.
fn missing_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")?
        .split('`')
        .next()
        .filter(|name| !name.is_empty())
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// The deepest key path whose key or value span contains `span.start`.
///
/// Table values are spanned by their header only (`[nlbs.internal]`), so the search visits
/// the whole tree rather than descending only into spans that contain the offset.
fn path_at(doc: &DeTable<'_>, span: &Range<usize>) -> Vec<Segment> {
    let mut best = Vec::new();
    let mut path = Vec::new();
    search_table(doc, span.start, &mut path, &mut best);
    best
}

fn contains(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && (offset < span.end || (span.is_empty() && offset == span.start))
}

fn search_table(
    table: &DeTable<'_>,
    offset: usize,
    path: &mut Vec<Segment>,
    best: &mut Vec<Segment>,
) {
    for (key, value) in table.iter() {
        path.push(Segment::Key(key.get_ref().to_string()));
        if (contains(&key.span(), offset) || contains(&value.span(), offset))
            && path.len() > best.len()
        {
            best.clone_from(path);
        }
        search_value(value, offset, path, best);
        path.pop();
    }
}

fn search_value(
    value: &Spanned<DeValue<'_>>,
    offset: usize,
    path: &mut Vec<Segment>,
    best: &mut Vec<Segment>,
) {
    match value.get_ref() {
        DeValue::Table(table) => search_table(table, offset, path, best),
        DeValue::Array(array) => {
            for (index, element) in array.iter().enumerate() {
                path.push(Segment::Index(index));
                if contains(&element.span(), offset) && path.len() > best.len() {
                    best.clone_from(path);
                }
                search_value(element, offset, path, best);
                path.pop();
            }
        }
        _ => {}
    }
}

fn render_path(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&key_segment(key));
            }
            Segment::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

/// A key as it appears in a dotted path: bare when TOML allows it, else quoted.
pub(crate) fn key_segment(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_lines_and_characters() {
        let text = "a = 1\nbé = \"x\"\n\nlast";
        let locator = Locator::new(text, "f.toml");
        let at = |offset| {
            let l = locator.locate(offset);
            (l.line, l.column)
        };
        assert_eq!(at(0), (1, 1));
        assert_eq!(at(4), (1, 5));
        assert_eq!(at(6), (2, 1));
        // "bé " is 4 bytes but 3 characters; the '=' after it is the 4th character.
        assert_eq!(at(10), (2, 4));
        assert_eq!(at(text.len()), (4, 5));
        assert_eq!(at(usize::MAX), (4, 5));
        // Inside a multi-byte character: falls back to bytes rather than panicking.
        assert_eq!(at(8), (2, 3));
    }

    #[test]
    fn key_segments_quote_when_needed() {
        assert_eq!(key_segment("internal"), "internal");
        assert_eq!(key_segment("a.b"), "\"a.b\"");
        assert_eq!(key_segment(""), "\"\"");
    }

    #[test]
    fn path_at_finds_deepest_entry() {
        let text = "[nlbs.internal]\n[[nlbs.internal.listeners]]\nport = 1\n";
        let doc = DeTable::parse(text).expect("valid toml");
        let port_value = text.find('1').expect("has a 1");
        let path = render_path(&path_at(doc.get_ref(), &(port_value..port_value + 1)));
        assert_eq!(path, "nlbs.internal.listeners[0].port");
        let header = text.find("[[").expect("has a header");
        let path = render_path(&path_at(doc.get_ref(), &(header..header + 1)));
        assert_eq!(path, "nlbs.internal.listeners[0]");
    }
}
