//! Rewrites serde's shape errors into what a person writing a scenario needs to read: an
//! unknown key with the key meant ("did you mean"), AWS's camelCase spelling with the
//! scenario's snake_case one, and a wrong type in words (`a number`, not `i64`).

/// A shape error as the user reads it: the message and what would be valid.
pub(super) struct Lesson {
    pub(super) message: String,
    pub(super) help: Option<String>,
}

/// Keys that are valid in a table reached through `per_target`, which reuses the expect
/// table's shape but not these two.
const NOT_IN_PER_TARGET: [&str; 2] = ["target", "per_target"];

/// The lesson for serde's `message` about the field at `field` (a dotted path), if it is
/// a kind of error this module explains.
pub(super) fn lesson(message: &str, field: &str) -> Option<Lesson> {
    unknown_field(message, field).or_else(|| invalid_type(message))
}

/// `unknown field `x`, expected one of `a`, `b``, or `expected `a``.
fn unknown_field(message: &str, field: &str) -> Option<Lesson> {
    let rest = message.strip_prefix("unknown field `")?;
    let (written, expected) = rest.split_once('`')?;
    let in_per_target = field.contains("per_target.");
    let valid: Vec<&str> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|key| !(in_per_target && NOT_IN_PER_TARGET.contains(key)))
        .collect();
    let listed = valid
        .iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let help = match suggestion(written, &valid) {
        Some(Suggestion::SnakeCase(key)) => format!(
            "did you mean `{key}`? scenario keys spell AWS's camelCase names in snake_case; valid keys: {listed}"
        ),
        Some(Suggestion::Near(key)) => format!("did you mean `{key}`? valid keys: {listed}"),
        None if valid.is_empty() => "this table takes no keys".to_owned(),
        None => format!("valid keys: {listed}"),
    };
    Some(Lesson {
        message: format!("unknown key `{written}`"),
        help: Some(help),
    })
}

/// What the user probably meant by an unknown key.
#[derive(Debug, PartialEq, Eq)]
enum Suggestion<'a> {
    /// The key is AWS's camelCase (or another case) of a valid snake_case key.
    SnakeCase(&'a str),
    /// A valid key a typo or two away.
    Near(&'a str),
}

fn suggestion<'a>(written: &str, valid: &[&'a str]) -> Option<Suggestion<'a>> {
    let snake = snake_case(written);
    if let Some(key) = valid.iter().find(|key| **key == snake && snake != written) {
        return Some(Suggestion::SnakeCase(key));
    }
    valid
        .iter()
        .map(|key| (strsim::jaro_winkler(&snake, key), *key))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, key)| Suggestion::Near(key))
}

/// `insecureSkipVerification` → `insecure_skip_verification`; `timeoutInMillis` keeps its
/// words (`timeout_in_millis`), which [`suggestion`] then finds near `timeout_ms`.
fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for (index, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if index > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '-' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

/// `invalid type: string "500", expected i64`.
fn invalid_type(message: &str) -> Option<Lesson> {
    let rest = message.strip_prefix("invalid type: ")?;
    let (found, expected) = rest.split_once(", expected ")?;
    let wanted = in_words(expected.trim());
    let help = match (wanted, found.strip_prefix("string ")) {
        ("a number", Some(quoted)) | ("true or false", Some(quoted)) => {
            Some(format!("write {} without quotes", quoted.trim_matches('"')))
        }
        ("an array", Some(quoted)) => Some(format!("write it as an array: [{quoted}]")),
        _ => None,
    };
    Some(Lesson {
        message: format!("expected {wanted}, found {}", found_in_words(found)),
        help,
    })
}

/// A serde type name as the scenario reference says it.
fn in_words(expected: &str) -> &str {
    match expected {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" | "f32"
        | "f64" => "a number",
        "a boolean" => "true or false",
        "a sequence" => "an array",
        "a string" => "a string in quotes",
        other => other,
    }
}

fn found_in_words(found: &str) -> String {
    if let Some(text) = found.strip_prefix("string ") {
        return format!("the string {text}");
    }
    let number = found
        .strip_prefix("integer ")
        .or_else(|| found.strip_prefix("floating point "));
    match (found, number) {
        (_, Some(number)) => format!("the number {}", number.trim_matches('`')),
        ("sequence", None) => "an array".to_owned(),
        ("map", None) => "a table".to_owned(),
        (other, None) => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_keys_point_at_their_snake_case_spelling() {
        let lesson = lesson(
            "unknown field `insecureSkipVerification`, expected one of `uri`, `insecure_skip_verification`, `timeout_ms`",
            "gateway.routes[0].insecureSkipVerification",
        )
        .expect("explained");
        assert_eq!(lesson.message, "unknown key `insecureSkipVerification`");
        assert!(
            lesson.help.unwrap().starts_with(
                "did you mean `insecure_skip_verification`? scenario keys spell AWS's"
            )
        );
    }

    #[test]
    fn aws_names_with_other_words_find_the_nearest_key() {
        let valid = ["uri", "server_name_to_verify", "timeout_ms", "vpc_link"];
        assert_eq!(
            suggestion("timeoutInMillis", &valid),
            Some(Suggestion::Near("timeout_ms"))
        );
        assert_eq!(
            suggestion("serverNameToVerify", &valid),
            Some(Suggestion::SnakeCase("server_name_to_verify"))
        );
        assert_eq!(
            suggestion("error_contain", &["error", "error_contains"]),
            Some(Suggestion::Near("error_contains"))
        );
        assert_eq!(suggestion("colour", &valid), None);
    }

    #[test]
    fn per_target_tables_list_only_their_own_keys() {
        let lesson = lesson(
            "unknown field `staus`, expected one of `status`, `validated`, `target`, `per_target`",
            "requests[0].expect.per_target.b1.staus",
        )
        .expect("explained");
        let help = lesson.help.unwrap();
        assert!(help.contains("`status`, `validated`"), "{help}");
        assert!(
            !help.contains("`target`") && !help.contains("per_target"),
            "{help}"
        );
    }

    #[test]
    fn a_number_where_text_belongs_is_named_as_such() {
        let lesson =
            lesson("invalid type: integer `443`, expected a string", "x").expect("explained");
        assert_eq!(
            lesson.message,
            "expected a string in quotes, found the number 443"
        );
    }

    #[test]
    fn a_quoted_number_is_a_number_in_words() {
        let lesson = lesson(
            "invalid type: string \"500\", expected i64",
            "requests[0].expect.status",
        )
        .expect("explained");
        assert_eq!(
            lesson.message,
            "expected a number, found the string \"500\""
        );
        assert_eq!(lesson.help.as_deref(), Some("write 500 without quotes"));
    }
}
