//! `--patch-operations` text: the AWS CLI shorthand or its JSON form.
//!
//! Shorthand is `op=replace,path=/timeoutInMillis,value=5000`, any value in single or double
//! quotes or bare, several operations separated by spaces. A whole operation may itself be
//! quoted, as it is when pasted from a shell command line
//! (`"op='replace',path='/tlsConfig/insecureSkipVerification',value=true"`). The JSON form is
//! an array of `{"op", "path", "value", "from"}` objects (or one object).

use serde::Deserialize;

use super::{Op, PatchOp};
use crate::error::PatchError;

/// Reads `--patch-operations` text into operations, in order.
pub fn parse_patch_operations(text: &str) -> Result<Vec<PatchOp>, PatchError> {
    let trimmed = text.trim_start();
    let ops = if trimmed.starts_with('[') || trimmed.starts_with('{') {
        json(text)?
    } else {
        shorthand(text)?
    };
    if ops.is_empty() {
        return Err(PatchError::Empty);
    }
    Ok(ops)
}

/// An operation's fields before checking.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    op: Option<String>,
    path: Option<String>,
    value: Option<JsonValue>,
    from: Option<String>,
}

/// A JSON value: API Gateway takes strings, but numbers and booleans are what people write.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum JsonValue {
    Text(String),
    Bool(bool),
    Number(serde_json::Number),
}

impl JsonValue {
    fn into_text(self) -> String {
        match self {
            JsonValue::Text(s) => s,
            JsonValue::Bool(b) => b.to_string(),
            JsonValue::Number(n) => n.to_string(),
        }
    }
}

fn json(text: &str) -> Result<Vec<PatchOp>, PatchError> {
    let to_error = |e: serde_json::Error| {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        PatchError::Json {
            line: e.line(),
            column: e.column(),
            message: full.strip_suffix(&suffix).unwrap_or(&full).to_owned(),
        }
    };
    let all: Vec<Fields> = if text.trim_start().starts_with('{') {
        vec![serde_json::from_str(text).map_err(to_error)?]
    } else {
        serde_json::from_str(text).map_err(to_error)?
    };
    all.into_iter()
        .enumerate()
        .map(|(i, f)| {
            check(
                i + 1,
                f.op,
                f.path,
                f.value.map(JsonValue::into_text),
                f.from,
            )
        })
        .collect()
}

/// Checks that an operation has a known op and a path.
fn check(
    index: usize,
    op: Option<String>,
    path: Option<String>,
    value: Option<String>,
    from: Option<String>,
) -> Result<PatchOp, PatchError> {
    let op = op.ok_or(PatchError::MissingField { index, field: "op" })?;
    let op = Op::parse(&op).ok_or(PatchError::UnknownOp { index, op })?;
    let path = path.ok_or(PatchError::MissingField {
        index,
        field: "path",
    })?;
    Ok(PatchOp {
        op,
        path,
        value,
        from,
    })
}

fn shorthand(text: &str) -> Result<Vec<PatchOp>, PatchError> {
    let mut cursor = Cursor {
        chars: text.chars().collect(),
        pos: 0,
        column_offset: 0,
    };
    let mut ops = Vec::new();
    loop {
        cursor.skip_spaces();
        let Some(c) = cursor.peek() else {
            break;
        };
        let fields = if c == '\'' || c == '"' {
            // A whole operation in quotes, as pasted from a shell command line.
            let start = cursor.pos + 1;
            let inner = cursor.quoted()?;
            if cursor.peek().is_some_and(|c| !c.is_whitespace()) {
                return Err(cursor.error("expected a space after the quoted operation"));
            }
            let mut inner = Cursor {
                chars: inner.chars().collect(),
                pos: 0,
                column_offset: cursor.column_offset + start,
            };
            inner.skip_spaces();
            let fields = inner.operation()?;
            inner.skip_spaces();
            if inner.peek().is_some() {
                return Err(inner.error("expected one operation inside the quotes"));
            }
            fields
        } else {
            cursor.operation()?
        };
        let index = ops.len() + 1;
        ops.push(check(
            index,
            fields.op,
            fields.path,
            fields.value,
            fields.from,
        )?);
    }
    Ok(ops)
}

/// Shorthand fields: like [`Fields`] but with the value already text.
#[derive(Debug, Default)]
struct ShortFields {
    op: Option<String>,
    path: Option<String>,
    value: Option<String>,
    from: Option<String>,
}

/// A position in shorthand text.
struct Cursor {
    chars: Vec<char>,
    pos: usize,
    /// Columns before `chars[0]` in the original text (for quoted operations).
    column_offset: usize,
}

impl Cursor {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn error(&self, message: impl Into<String>) -> PatchError {
        PatchError::Syntax {
            column: self.column_offset + self.pos + 1,
            message: message.into(),
        }
    }

    /// `key=value(,key=value)*`, up to a space or the end.
    fn operation(&mut self) -> Result<ShortFields, PatchError> {
        let mut fields = ShortFields::default();
        loop {
            let key_start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                self.pos += 1;
            }
            let key: String = self.chars[key_start..self.pos].iter().collect();
            if key.is_empty() {
                return Err(self.error("expected a key: op, path, value or from"));
            }
            if self.peek() != Some('=') {
                return Err(self.error(format!("expected '=' after {key}")));
            }
            self.pos += 1;
            let value = self.value()?;
            let slot = match key.as_str() {
                "op" => &mut fields.op,
                "path" => &mut fields.path,
                "value" => &mut fields.value,
                "from" => &mut fields.from,
                _ => {
                    self.pos = key_start;
                    return Err(self.error(format!(
                        "unknown key {key:?} (expected op, path, value or from)"
                    )));
                }
            };
            if slot.is_some() {
                self.pos = key_start;
                return Err(self.error(format!("{key} is given twice in one operation")));
            }
            *slot = Some(value);
            match self.peek() {
                None => return Ok(fields),
                Some(c) if c.is_whitespace() => return Ok(fields),
                Some(',') => self.pos += 1,
                Some(_) => {
                    return Err(
                        self.error(format!("expected ',' or a space after the value of {key}"))
                    );
                }
            }
        }
    }

    /// A quoted or bare value; a bare value ends at `,`, a space or the end, and `\` escapes
    /// the next character.
    fn value(&mut self) -> Result<String, PatchError> {
        if matches!(self.peek(), Some('\'' | '"')) {
            return self.quoted();
        }
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c == ',' || c.is_whitespace() {
                break;
            }
            self.pos += 1;
            if c == '\\' {
                match self.peek() {
                    Some(next) => {
                        out.push(next);
                        self.pos += 1;
                    }
                    None => return Err(self.error("'\\' at the end of the text")),
                }
            } else {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Text between matching quotes; `\` escapes the next character inside double quotes.
    fn quoted(&mut self) -> Result<String, PatchError> {
        let open = self.pos;
        let quote = self.chars[open];
        self.pos += 1;
        let mut out = String::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            if c == quote {
                return Ok(out);
            }
            if c == '\\'
                && quote == '"'
                && let Some(next) = self.peek()
            {
                out.push(next);
                self.pos += 1;
                continue;
            }
            out.push(c);
        }
        self.pos = open;
        Err(self.error(format!("unclosed {quote}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(op: Op, path: &str, value: Option<&str>) -> PatchOp {
        PatchOp {
            op,
            path: path.to_owned(),
            value: value.map(str::to_owned),
            from: None,
        }
    }

    #[test]
    fn the_seed_article_string() {
        // As the shell passes it (the outer double quotes removed) and as pasted with them.
        let want = vec![op(
            Op::Replace,
            "/tlsConfig/insecureSkipVerification",
            Some("true"),
        )];
        assert_eq!(
            parse_patch_operations(
                "op='replace',path='/tlsConfig/insecureSkipVerification',value=true"
            ),
            Ok(want.clone())
        );
        assert_eq!(
            parse_patch_operations(
                "\"op='replace',path='/tlsConfig/insecureSkipVerification',value=true\""
            ),
            Ok(want)
        );
    }

    #[test]
    fn several_operations_quotes_optional() {
        let ops = parse_patch_operations(
            "  op=replace,path=/timeoutInMillis,value=5000 \t op=\"replace\",path=\"/uri\",value='https://a.example.com/x,y'  ",
        )
        .unwrap();
        assert_eq!(
            ops,
            vec![
                op(Op::Replace, "/timeoutInMillis", Some("5000")),
                op(Op::Replace, "/uri", Some("https://a.example.com/x,y")),
            ]
        );
        let ops =
            parse_patch_operations("op=remove,path=/x op=copy,from=/a,path=/b,value=").unwrap();
        assert_eq!(ops[0], op(Op::Remove, "/x", None));
        assert_eq!(ops[1].from.as_deref(), Some("/a"));
        assert_eq!(ops[1].value.as_deref(), Some(""));
        let ops = parse_patch_operations(r"op=replace,path=/uri,value=a\,b\ c").unwrap();
        assert_eq!(ops[0].value.as_deref(), Some("a,b c"));
    }

    #[test]
    fn the_json_form() {
        assert_eq!(
            parse_patch_operations(
                r#"[{"op":"replace","path":"/timeoutInMillis","value":"5000"}]"#
            ),
            Ok(vec![op(Op::Replace, "/timeoutInMillis", Some("5000"))])
        );
        let ops = parse_patch_operations(
            r#"[{"op":"replace","path":"/timeoutInMillis","value":5000},
                {"op":"replace","path":"/tlsConfig/insecureSkipVerification","value":true}]"#,
        )
        .unwrap();
        assert_eq!(ops[0].value.as_deref(), Some("5000"));
        assert_eq!(ops[1].value.as_deref(), Some("true"));
        assert_eq!(
            parse_patch_operations(r#"{"op":"remove","path":"/x"}"#),
            Ok(vec![op(Op::Remove, "/x", None)])
        );
    }

    #[test]
    fn errors_say_where_and_what() {
        assert_eq!(parse_patch_operations("   "), Err(PatchError::Empty));
        assert_eq!(parse_patch_operations("[]"), Err(PatchError::Empty));
        assert_eq!(
            parse_patch_operations("op=replace,pth=/x"),
            Err(PatchError::Syntax {
                column: 12,
                message: "unknown key \"pth\" (expected op, path, value or from)".into()
            })
        );
        assert_eq!(
            parse_patch_operations("op=replace,path='/x"),
            Err(PatchError::Syntax {
                column: 17,
                message: "unclosed '".into()
            })
        );
        assert_eq!(
            parse_patch_operations("\"op=replace,path=/x,op=add\""),
            Err(PatchError::Syntax {
                column: 21,
                message: "op is given twice in one operation".into()
            })
        );
        assert!(matches!(
            parse_patch_operations("op=replace path=/x"),
            Err(PatchError::MissingField {
                index: 1,
                field: "path"
            })
        ));
        assert_eq!(
            parse_patch_operations("op=swap,path=/x"),
            Err(PatchError::UnknownOp {
                index: 1,
                op: "swap".into()
            })
        );
        assert!(matches!(
            parse_patch_operations("op=replace,=x"),
            Err(PatchError::Syntax { column: 12, .. })
        ));
        let Err(PatchError::Json {
            line,
            column,
            message,
        }) = parse_patch_operations("[{\"op\":\"replace\",\n \"pth\":\"/x\"}]")
        else {
            panic!("expected a json error");
        };
        assert_eq!(line, 2);
        assert!(column > 1);
        assert!(message.contains("unknown field `pth`"), "{message}");
    }
}
