//! AWS's rule wildcards: `*` matches zero or more characters, `?` exactly one.

/// Whether `text` matches `pattern`, where `*` stands for any run of characters (possibly
/// none) and `?` for exactly one; every other character stands for itself, compared
/// ASCII-case-insensitively when `ignore_case`.
///
/// Runs in O(pattern × text) at worst, with no recursion: the last `*` seen is the only
/// backtracking point, which is enough because a later `*` can absorb anything an earlier
/// one could.
pub(crate) fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let same = |p: char, t: char| p == '?' || p == t || (ignore_case && p.eq_ignore_ascii_case(&t));
    let (mut p, mut t) = (0, 0);
    // The position of the last `*` in the pattern, and where in the text it started.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && same(pattern[p], text[t]) {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            // Let the last `*` swallow one more character and retry from there.
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// How many wildcards (`*` and `?`) `pattern` holds.
pub(crate) fn wildcards(pattern: &str) -> usize {
    pattern.chars().filter(|c| matches!(c, '*' | '?')).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_aws_describes() {
        let cases: &[(&str, &str, bool, bool)] = &[
            // pattern, text, ignore_case, matches
            ("/img/*", "/img/a.png", false, true),
            ("/img/*", "/img/", false, true),
            ("/img/*", "/img", false, false),
            ("/img/*", "/IMG/a.png", false, false),
            ("/img/*", "/IMG/a.png", true, true),
            ("*.example.com", "api.example.com", true, true),
            ("*.example.com", "example.com", true, false),
            ("*.example.com", "a.b.example.com", true, true),
            ("api-?.example.com", "api-1.example.com", true, true),
            ("api-?.example.com", "api-12.example.com", true, false),
            ("api-?.example.com", "api-.example.com", true, false),
            ("*", "", false, true),
            ("", "", false, true),
            ("", "a", false, false),
            ("a*b*c", "aXXbYYc", false, true),
            ("a*b*c", "aXXbYY", false, false),
            ("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false),
            ("/über/*", "/über/x", false, true),
            ("/a?c", "/abc", false, true),
            ("/a?c", "/ac", false, false),
        ];
        for (pattern, text, ignore_case, expected) in cases {
            assert_eq!(
                wildcard_match(pattern, text, *ignore_case),
                *expected,
                "{pattern:?} vs {text:?} (ignore case: {ignore_case})"
            );
        }
    }

    #[test]
    fn wildcards_are_counted() {
        assert_eq!(wildcards("/img/*"), 1);
        assert_eq!(wildcards("*.example.?om"), 2);
        assert_eq!(wildcards("plain"), 0);
    }
}
