//! A small TOML writer that keeps comments and records where each placeholder is.
//!
//! The importer writes text rather than serializing a struct so that it can put a comment
//! above any line: what AWS said about a resource, what is not modelled, and every
//! `# TODO(import): …` placeholder.

/// The marker that starts every placeholder comment and value.
pub(crate) const TODO: &str = "TODO(import)";

/// A TOML value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// An array of strings.
    List(Vec<String>),
    /// An array of any values (such as inline tables).
    Array(Vec<Value>),
    /// An inline table `{ key = value, … }`, in this order.
    Inline(Vec<(String, Value)>),
}

impl Value {
    /// A string value.
    pub(crate) fn str(s: impl Into<String>) -> Self {
        Value::Str(s.into())
    }

    /// The placeholder string value `"TODO(import): <short>"`, which no scenario field
    /// accepts: it is no name, no enum spelling, no URI and no file.
    pub(crate) fn todo(short: &str) -> Self {
        Value::Str(placeholder(short))
    }

    fn render(&self) -> String {
        match self {
            Value::Str(s) => quote(s),
            Value::Int(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::List(items) => {
                let items: Vec<String> = items.iter().map(|s| quote(s)).collect();
                format!("[{}]", items.join(", "))
            }
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(Value::render).collect();
                format!("[{}]", items.join(", "))
            }
            Value::Inline(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{} = {}", bare_or_quoted(k), v.render()))
                    .collect();
                format!("{{ {} }}", entries.join(", "))
            }
        }
    }
}

/// The placeholder text `TODO(import): <short>`.
pub(crate) fn placeholder(short: &str) -> String {
    format!("{TODO}: {}", one_line(short))
}

/// A placeholder: where it is and what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Todo {
    /// 0-based line index within the document.
    line: usize,
    /// Dotted field path, as scenario errors name fields.
    field: String,
    /// What is missing.
    reason: String,
}

/// Lines of TOML being written.
#[derive(Debug, Default)]
pub(crate) struct Doc {
    lines: Vec<String>,
    todos: Vec<Todo>,
}

impl Doc {
    /// An empty line.
    pub(crate) fn blank(&mut self) {
        self.lines.push(String::new());
    }

    /// A `# text` line (control characters become spaces).
    pub(crate) fn comment(&mut self, text: &str) {
        self.lines.push(format!("# {}", one_line(text)));
    }

    /// A `[a.b.c]` header.
    pub(crate) fn table(&mut self, path: &[&str]) {
        self.lines.push(format!("[{}]", dotted(path)));
    }

    /// A `[[a.b.c]]` header.
    pub(crate) fn array_table(&mut self, path: &[&str]) {
        self.lines.push(format!("[[{}]]", dotted(path)));
    }

    /// A `key = value` line.
    pub(crate) fn entry(&mut self, key: &str, value: Value) {
        self.lines
            .push(format!("{} = {}", bare_or_quoted(key), value.render()));
    }

    /// A placeholder: `# TODO(import): reason`, an optional `#   help` line, then
    /// `key = value`, where `value` must fail validation.
    pub(crate) fn todo(
        &mut self,
        key: &str,
        field: &str,
        reason: &str,
        help: Option<&str>,
        value: Value,
    ) {
        self.lines.push(format!("# {TODO}: {}", one_line(reason)));
        if let Some(help) = help {
            self.lines.push(format!("#   {}", one_line(help)));
        }
        self.todos.push(Todo {
            line: self.lines.len(),
            field: field.to_owned(),
            reason: one_line(reason),
        });
        self.entry(key, value);
    }

    /// A `# TODO(import): reason` comment about a value that is present but will not
    /// validate (such as a URI port no listener has), recorded as a placeholder.
    pub(crate) fn todo_note(&mut self, field: &str, reason: &str) {
        self.lines.push(format!("# {TODO}: {}", one_line(reason)));
        self.todos.push(Todo {
            line: self.lines.len(),
            field: field.to_owned(),
            reason: one_line(reason),
        });
    }

    /// Appends another document.
    pub(crate) fn append(&mut self, other: Doc) {
        let offset = self.lines.len();
        self.lines.extend(other.lines);
        self.todos.extend(other.todos.into_iter().map(|t| Todo {
            line: t.line + offset,
            ..t
        }));
    }

    /// The text, and one `line N: field: reason` entry per placeholder.
    pub(crate) fn finish(self) -> (String, Vec<String>) {
        let mut text = self.lines.join("\n");
        text.push('\n');
        let todos = self
            .todos
            .into_iter()
            .map(|t| format!("line {}: {}: {}", t.line + 1, t.field, t.reason))
            .collect();
        (text, todos)
    }
}

/// A TOML basic string.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A key, bare when TOML allows it, else quoted.
pub(crate) fn bare_or_quoted(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    {
        key.to_owned()
    } else {
        quote(key)
    }
}

fn dotted(path: &[&str]) -> String {
    path.iter()
        .map(|k| bare_or_quoted(k))
        .collect::<Vec<_>>()
        .join(".")
}

/// Text with control characters (newlines included) turned into spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_parseable_toml_with_placeholders() {
        let mut doc = Doc::default();
        doc.comment("from\nAWS");
        doc.table(&["targets", "10.0.0.1"]);
        doc.entry("protocol", Value::str("HTTP"));
        doc.entry(
            "body",
            Value::str("quote \" backslash \\ tab \t bell \u{7}"),
        );
        let mut more = Doc::default();
        more.blank();
        more.array_table(&["nlbs", "my-nlb", "listeners"]);
        more.entry("port", Value::Int(443));
        more.todo(
            "certificate",
            "nlbs.my-nlb.listeners[0].certificate",
            "no pem for arn",
            Some("map it"),
            Value::todo("certificate for arn"),
        );
        more.entry("tls", Value::Bool(true));
        more.entry("certificates", Value::List(vec!["a".into(), "b".into()]));
        more.entry(
            "conditions",
            Value::Array(vec![Value::Inline(vec![
                ("field".into(), Value::str("query-string")),
                (
                    "values".into(),
                    Value::Array(vec![Value::Inline(vec![(
                        "value".into(),
                        Value::str("a b"),
                    )])]),
                ),
            ])]),
        );
        doc.append(more);
        let (text, todos) = doc.finish();
        assert!(
            text.starts_with("# from AWS\n[targets.\"10.0.0.1\"]\n"),
            "{text}"
        );
        assert_eq!(
            todos,
            ["line 10: nlbs.my-nlb.listeners[0].certificate: no pem for arn"]
        );
        assert_eq!(
            text.lines().nth(9),
            Some("certificate = \"TODO(import): certificate for arn\"")
        );
        let parsed: toml::Table = toml::from_str(&text).expect("valid toml");
        assert_eq!(
            parsed["nlbs"]["my-nlb"]["listeners"][0]["conditions"][0]["values"][0]["value"]
                .as_str(),
            Some("a b")
        );
        assert_eq!(
            parsed["targets"]["10.0.0.1"]["body"].as_str(),
            Some("quote \" backslash \\ tab \t bell \u{7}")
        );
    }
}
