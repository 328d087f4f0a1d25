//! Source documents, read once: JSON (serde_json) or YAML (saphyr-parser's events), as one
//! tree whose nodes remember their line, and where a node is for messages
//! ([`SourceLocation`]: file, JSON pointer, line).
//!
//! YAML's CloudFormation short forms become the long forms JSON templates write: `!Ref X` is
//! read as `{Ref: X}`, `!Condition X` as `{Condition: X}`, and any other `!Name v` as
//! `{"Fn::Name": v}`, so the template reader sees one shape. Every input is untrusted:
//! a file larger than [`MAX_SOURCE_SIZE`] is refused before it is read, nesting deeper than
//! [`MAX_DEPTH`] and alias expansion past [`MAX_NODES`] are errors, not a stack overflow or
//! a memory blow-up.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use crate::error::ImportError;

/// Largest source file read (a template, an export, a plan or a sidecar), in bytes. Larger
/// files are refused from their size alone, without reading them.
pub const MAX_SOURCE_SIZE: u64 = 16 * 1024 * 1024;

/// Deepest nesting accepted (serde_json's own limit).
pub(crate) const MAX_DEPTH: usize = 128;

/// Most nodes a document may have once YAML aliases are expanded.
pub(crate) const MAX_NODES: usize = 1_000_000;

/// Where something is in a source file: its path as given, a JSON pointer (RFC 6901) and,
/// for YAML, the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    /// The file, as the user named it.
    pub file: String,
    /// The JSON pointer of the value, such as `/Resources/OrdersTls/Properties/Protocol`.
    pub pointer: String,
    /// The line, when the syntax keeps lines (YAML).
    pub line: Option<usize>,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.pointer_text()),
            None => write!(f, "{}: {}", self.file, self.pointer_text()),
        }
    }
}

impl SourceLocation {
    fn pointer_text(&self) -> &str {
        if self.pointer.is_empty() {
            "(document root)"
        } else {
            &self.pointer
        }
    }
}

/// Something the import noticed and went on past: the location and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where.
    pub location: SourceLocation,
    /// What, in lower case.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// A JSON pointer with `key` appended, escaped as RFC 6901 says.
pub(crate) fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// A JSON pointer with index `i` appended.
pub(crate) fn index(pointer: &str, i: usize) -> String {
    format!("{pointer}/{i}")
}

/// A value of the tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in document order (JSON objects: serde_json's key order).
    Map(Vec<(String, Node)>),
}

/// A value and the line it starts on (YAML only).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) line: Option<usize>,
}

impl Node {
    /// A node without a line.
    pub(crate) fn new(value: Value) -> Self {
        Node { value, line: None }
    }

    /// The entry `key` of a map.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The entries of a map.
    pub(crate) fn as_map(&self) -> Option<&[(String, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items of a sequence.
    pub(crate) fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The text of a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar as text (numbers and booleans as written by Rust).
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(n) => Some(n.to_string()),
            Value::Float(x) => Some(x.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// An integer, also from a whole float or a string of digits (templates write both).
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Int(n) => Some(*n),
            Value::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(*x as i64),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A boolean, also from the strings `true` and `false` in any case.
    pub(crate) fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// The tree as serde_json's value (lines dropped), to read a subtree that has an AWS
    /// shape through the structs of `aws`.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(n) => serde_json::Value::from(*n),
            Value::Float(x) => serde_json::Number::from_f64(*x)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Whether the node is null.
    pub(crate) fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// What kind of value this is, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

/// A parsed source file.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    /// The file as the user named it.
    pub(crate) file: String,
    /// The root value.
    pub(crate) root: Node,
}

impl Document {
    /// The location of the node at `pointer`.
    pub(crate) fn at(&self, pointer: &str, node: Option<&Node>) -> SourceLocation {
        SourceLocation {
            file: self.file.clone(),
            pointer: pointer.to_owned(),
            line: node.and_then(|n| n.line),
        }
    }
}

/// Reads a source file of at most [`MAX_SOURCE_SIZE`] bytes as UTF-8 text. A larger file is
/// refused from its metadata, and a file that grows while it is read is cut off at the limit
/// and refused, so no more than the limit is ever read.
pub fn read_source_text(path: &Path) -> Result<String, ImportError> {
    let shown = path.display().to_string();
    let read_error = |e: std::io::Error| ImportError::Read {
        path: shown.clone(),
        message: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let size = file.metadata().map_err(read_error)?.len();
    let too_large = |size| ImportError::TooLarge {
        path: shown.clone(),
        size,
        limit: MAX_SOURCE_SIZE,
    };
    if size > MAX_SOURCE_SIZE {
        return Err(too_large(size));
    }
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_SOURCE_SIZE {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| ImportError::Read {
        path: shown.clone(),
        message: format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// Parses `text` as JSON when it starts with `{` or `[`, else as YAML.
pub(crate) fn parse(file: &str, text: &str) -> Result<Document, ImportError> {
    if text.len() as u64 > MAX_SOURCE_SIZE {
        return Err(ImportError::TooLarge {
            path: file.to_owned(),
            size: text.len() as u64,
            limit: MAX_SOURCE_SIZE,
        });
    }
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with('{') || body.starts_with('[') {
        let value: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| ImportError::Syntax {
                file: file.to_owned(),
                line: e.line(),
                column: e.column(),
                syntax: "JSON",
                message: strip_position(&e),
            })?;
        Ok(Document {
            file: file.to_owned(),
            root: from_json(value),
        })
    } else {
        Ok(Document {
            file: file.to_owned(),
            root: YamlBuilder::new(file).build(text)?,
        })
    }
}

/// serde_json's message without its ` at line L column C` suffix.
fn strip_position(error: &serde_json::Error) -> String {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_owned()
}

/// serde_json's value as a tree (its depth is already bounded by serde_json).
pub(crate) fn from_json(value: serde_json::Value) -> Node {
    Node::new(match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(items) => Value::Seq(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(map) => {
            Value::Map(map.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    })
}

/// A collection being built from YAML events.
enum Frame {
    Seq {
        items: Vec<Node>,
        line: usize,
        anchor: usize,
        tag: Option<Tag>,
    },
    Map {
        entries: Vec<(String, Node)>,
        key: Option<String>,
        line: usize,
        anchor: usize,
        tag: Option<Tag>,
    },
}

/// Builds a [`Node`] tree from saphyr-parser's events, without recursion.
struct YamlBuilder<'a> {
    file: &'a str,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    root: Option<Node>,
}

impl<'a> YamlBuilder<'a> {
    fn new(file: &'a str) -> Self {
        YamlBuilder {
            file,
            stack: Vec::new(),
            anchors: HashMap::new(),
            nodes: 0,
            root: None,
        }
    }

    fn error(&self, line: usize, column: usize, message: impl Into<String>) -> ImportError {
        ImportError::Syntax {
            file: self.file.to_owned(),
            line,
            column,
            syntax: "YAML",
            message: message.into(),
        }
    }

    fn scan_error(&self, e: &ScanError) -> ImportError {
        self.error(e.marker().line(), e.marker().col() + 1, e.info())
    }

    fn build(mut self, text: &str) -> Result<Node, ImportError> {
        let mut parser = Parser::new_from_str(text);
        let mut documents = 0;
        while let Some(event) = parser.next_event() {
            let (event, span) = event.map_err(|e| self.scan_error(&e))?;
            let line = span.start.line();
            let column = span.start.col() + 1;
            match event {
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(self.error(
                            line,
                            column,
                            "more than one YAML document: a source holds one",
                        ));
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let node = Node {
                        value: scalar(&text, style, tag.as_deref()),
                        line: Some(line),
                    };
                    let node = wrap_tag(node, tag.as_deref());
                    self.finish(node, anchor, line, column)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    self.open(line, column)?;
                    self.stack.push(Frame::Seq {
                        items: Vec::new(),
                        line,
                        anchor,
                        tag: tag.map(Cow::into_owned),
                    });
                }
                Event::MappingStart(anchor, tag) => {
                    self.open(line, column)?;
                    self.stack.push(Frame::Map {
                        entries: Vec::new(),
                        key: None,
                        line,
                        anchor,
                        tag: tag.map(Cow::into_owned),
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = self.stack.pop() else {
                        return Err(self.error(line, column, "unbalanced collection end"));
                    };
                    let (node, anchor, tag) = match frame {
                        Frame::Seq {
                            items,
                            line,
                            anchor,
                            tag,
                        } => (
                            Node {
                                value: Value::Seq(items),
                                line: Some(line),
                            },
                            anchor,
                            tag,
                        ),
                        Frame::Map {
                            entries,
                            line,
                            anchor,
                            tag,
                            ..
                        } => (
                            Node {
                                value: Value::Map(entries),
                                line: Some(line),
                            },
                            anchor,
                            tag,
                        ),
                    };
                    let node = wrap_tag(node, tag.as_ref());
                    self.finish(node, anchor, line, column)?;
                }
                Event::Alias(id) => {
                    let Some(node) = self.anchors.get(&id).cloned() else {
                        return Err(self.error(line, column, "alias to an unknown anchor"));
                    };
                    let size = count(&node);
                    self.nodes = self.nodes.saturating_add(size);
                    if self.nodes > MAX_NODES {
                        return Err(self.too_many(line, column));
                    }
                    self.finish(node, 0, line, column)?;
                }
                Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
            }
        }
        Ok(self.root.unwrap_or(Node::new(Value::Null)))
    }

    fn too_many(&self, line: usize, column: usize) -> ImportError {
        self.error(
            line,
            column,
            format!("more than {MAX_NODES} values once aliases are expanded"),
        )
    }

    /// Checks the depth before a collection opens.
    fn open(&mut self, line: usize, column: usize) -> Result<(), ImportError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error(
                line,
                column,
                format!("nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    /// Places a finished node in its parent (or as the root), remembering its anchor.
    fn finish(
        &mut self,
        node: Node,
        anchor: usize,
        line: usize,
        column: usize,
    ) -> Result<(), ImportError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(self.too_many(line, column));
        }
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    let Some(text) = node
                        .scalar_text()
                        .or_else(|| node.is_null().then(String::new))
                    else {
                        return Err(self.error(
                            line,
                            column,
                            format!("a mapping key must be a scalar, not {}", node.kind()),
                        ));
                    };
                    if entries.iter().any(|(k, _)| *k == text) {
                        return Err(self.error(line, column, format!("duplicate key {text:?}")));
                    }
                    *key = Some(text);
                }
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }
}

/// The nodes in a tree (iteratively).
fn count(node: &Node) -> usize {
    let mut total = 0;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        total += 1;
        match &n.value {
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => todo.extend(entries.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    total
}

/// A scalar's value: quoted and block scalars are strings; plain ones follow the YAML 1.2 core
/// schema; a core-schema tag (`!!str`, `!!int`, …) decides when present.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag
        && tag.is_yaml_core_schema()
    {
        return match tag.suffix.as_str() {
            "str" => Value::Str(text.to_owned()),
            _ => plain(text),
        };
    }
    match style {
        ScalarStyle::Plain => plain(text),
        _ => Value::Str(text.to_owned()),
    }
}

/// A plain scalar by the YAML 1.2 core schema.
fn plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = text.parse::<i64>() {
            return Value::Int(n);
        }
    } else if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(n) = i64::from_str_radix(hex, 16) {
            return Value::Int(n);
        }
    } else if let Some(octal) = text.strip_prefix("0o") {
        if let Ok(n) = i64::from_str_radix(octal, 8) {
            return Value::Int(n);
        }
    } else if digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && let Ok(x) = text.parse::<f64>()
    {
        return Value::Float(x);
    }
    Value::Str(text.to_owned())
}

/// A CloudFormation short form (`!Ref`, `!GetAtt`, `!Sub`, …) as its long form; other tags
/// leave the node as it is.
fn wrap_tag(node: Node, tag: Option<&Tag>) -> Node {
    let Some(tag) = tag else {
        return node;
    };
    if tag.handle != "!" || tag.suffix.is_empty() {
        return node;
    }
    let key = match tag.suffix.as_str() {
        "Ref" => "Ref".to_owned(),
        "Condition" => "Condition".to_owned(),
        other => format!("Fn::{other}"),
    };
    let line = node.line;
    Node {
        value: Value::Map(vec![(key, node)]),
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Node {
        parse("t.yaml", text).expect("parses").root
    }

    #[test]
    fn short_form_tags_become_long_forms_with_lines() {
        let root = yaml(
            "Resources:\n  Link:\n    Properties:\n      TargetArns: [!Ref Nlb]\n      Uri: !Sub 'https://${Nlb.DNSName}/'\n      Az: !GetAtt [Nlb, DNSName]\n",
        );
        let props = root
            .get("Resources")
            .and_then(|r| r.get("Link"))
            .and_then(|l| l.get("Properties"))
            .expect("properties");
        let arn = &props.get("TargetArns").and_then(Node::as_seq).expect("seq")[0];
        assert_eq!(arn.get("Ref").and_then(Node::as_str), Some("Nlb"));
        assert_eq!(arn.line, Some(4));
        let uri = props.get("Uri").expect("uri");
        assert_eq!(
            uri.get("Fn::Sub").and_then(Node::as_str),
            Some("https://${Nlb.DNSName}/")
        );
        assert_eq!(uri.line, Some(5));
        let az = props
            .get("Az")
            .and_then(|a| a.get("Fn::GetAtt"))
            .expect("getatt");
        assert_eq!(az.as_seq().map(<[Node]>::len), Some(2));
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        let root = yaml("a: 443\nb: '443'\nc: true\nd: ~\ne: 1.5\nf: 0x1F\ng: inf\nh: !!str 12\n");
        assert_eq!(root.get("a").map(|n| &n.value), Some(&Value::Int(443)));
        assert_eq!(root.get("b").and_then(Node::as_str), Some("443"));
        assert_eq!(root.get("c").and_then(Node::as_bool), Some(true));
        assert!(root.get("d").is_some_and(Node::is_null));
        assert_eq!(root.get("e").map(|n| &n.value), Some(&Value::Float(1.5)));
        assert_eq!(root.get("f").map(|n| &n.value), Some(&Value::Int(31)));
        assert_eq!(root.get("g").and_then(Node::as_str), Some("inf"));
        assert_eq!(root.get("h").and_then(Node::as_str), Some("12"));
    }

    #[test]
    fn malformed_input_names_file_line_and_column() {
        let error = parse("t.yaml", "a: [1, 2\nb: c\n").expect_err("malformed");
        assert!(
            matches!(error, ImportError::Syntax { syntax: "YAML", .. }),
            "{error}"
        );
        assert!(error.to_string().starts_with("t.yaml:"), "{error}");
        let error = parse("t.json", "{\n  \"a\": [1,\n}").expect_err("malformed");
        assert!(
            matches!(
                error,
                ImportError::Syntax {
                    line: 3,
                    syntax: "JSON",
                    ..
                }
            ),
            "{error}"
        );
        let error = parse("t.yaml", "a: 1\na: 2\n").expect_err("duplicate");
        assert!(error.to_string().contains("duplicate key \"a\""), "{error}");
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = if i == 0 {
                "a".to_owned()
            } else {
                format!("l{}", i - 1)
            };
            bomb.push_str(&format!(
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let error = parse("bomb.yaml", &bomb).expect_err("too many nodes");
        assert!(
            error.to_string().contains("aliases are expanded"),
            "{error}"
        );
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert!(parse("deep.json", &deep).is_err());
        let deep_yaml = format!("a: {}1{}", "[".repeat(200), "]".repeat(200));
        let error = parse("deep.yaml", &deep_yaml).expect_err("too deep");
        assert!(error.to_string().contains("nested deeper"), "{error}");
    }

    #[test]
    fn pointers_escape_as_rfc_6901_says() {
        assert_eq!(child("/paths", "/orders/{id}"), "/paths/~1orders~1{id}");
        assert_eq!(child("", "a~b"), "/a~0b");
        assert_eq!(index("/x", 3), "/x/3");
    }

    #[test]
    fn a_source_over_the_limit_is_refused_from_its_size() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.json");
        let file = std::fs::File::create(&path).expect("create");
        file.set_len(MAX_SOURCE_SIZE + 1).expect("sparse file");
        let error = read_source_text(&path).expect_err("too large");
        assert!(matches!(error, ImportError::TooLarge { .. }), "{error}");
    }
}
