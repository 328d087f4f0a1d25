//! Escaping text for each output format, and fitting text into a width.
//!
//! Everything a report prints comes from a scenario file or from what a hop saw on the wire,
//! so every string goes through one of these functions before it reaches markup.

/// Escapes text for XML and HTML, in element content and in quoted attributes alike.
///
/// Characters XML 1.0 cannot carry (most C0 controls) become U+FFFD.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(xml_char(c)),
        }
    }
    out
}

/// Text that is safe inside an XML document once escaped by an XML writer: characters XML
/// 1.0 cannot carry become U+FFFD, and `]]>` is broken up so it cannot end a CDATA section.
pub(crate) fn xml_chars(text: &str) -> String {
    text.chars()
        .map(xml_char)
        .collect::<String>()
        .replace("]]>", "]] >")
}

fn xml_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => c,
        c if (c as u32) < 0x20 => '\u{FFFD}',
        '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
        c => c,
    }
}

/// Escapes text for a double-quoted Mermaid label.
///
/// Mermaid reads `#…;` as an entity and passes labels through an HTML sanitizer, so quotes,
/// `#`, `&`, angle brackets, backticks and pipes become numeric entity codes; line breaks
/// become spaces (callers join lines with `<br/>` after escaping).
pub(crate) fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#34;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#38;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a double-quoted Graphviz string: backslashes and quotes are escaped and
/// line breaks become spaces (callers join lines with `\n` after escaping).
pub(crate) fn dot(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Splits text into lines of at most `width` characters, breaking at spaces where it can and
/// inside words only when a word alone is too long.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        // Hard-split words that cannot fit on a line of their own.
        while word.len() > width {
            if line_len > 0 {
                lines.push(std::mem::take(&mut line));
                line_len = 0;
            }
            let rest = word.split_off(width);
            lines.push(word.into_iter().collect());
            word = rest;
        }
        let len = word.len();
        if line_len > 0 && line_len + 1 + len > width {
            lines.push(std::mem::take(&mut line));
            line_len = 0;
        }
        if line_len > 0 {
            line.push(' ');
            line_len += 1;
        }
        line.extend(word);
        line_len += len;
    }
    if line_len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Wraps text like [`wrap`], keeping at most `max_lines` lines and ending the last kept line
/// with `…` when text was dropped.
pub(crate) fn wrap_lines(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines = wrap(text, width);
    if lines.len() > max_lines.max(1) {
        lines.truncate(max_lines.max(1));
        if let Some(last) = lines.last_mut() {
            *last = ellipsize(&format!("{last} …"), width);
        }
    }
    lines
}

/// Shortens text to at most `width` characters, ending it with `…` when it was cut.
pub(crate) fn ellipsize(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_controls() {
        assert_eq!(
            xml("<a href=\"x\">&'\u{0}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\u{FFFD}"
        );
        assert_eq!(xml_chars("a]]>b\u{1}"), "a]] >b\u{FFFD}");
    }

    #[test]
    fn mermaid_and_dot_escape_their_specials() {
        assert_eq!(
            mermaid("a \"b\" #1 <x> | `y` &"),
            "a #34;b#34; #35;1 #60;x#62; #124; #96;y#96; #38;"
        );
        assert_eq!(dot("C:\\x \"q\"\nz"), "C:\\\\x \\\"q\\\" z");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_splits_long_words() {
        assert_eq!(wrap("aaa bbb ccc", 7), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(wrap_lines("a b c d e f", 3, 2), ["a b", "c …"]);
        assert_eq!(ellipsize("abcdef", 4), "abc…");
    }
}
