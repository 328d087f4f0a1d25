//! `render_text` against a stored golden file. Regenerate with `HOPLAB_BLESS=1 cargo test -p
//! hoplab-model --test golden`, then review the diff.

use std::path::PathBuf;

use time::macros::datetime;

const SCENARIO: &str = "tcp-listener-validates-target";

#[test]
fn render_text_matches_the_golden_file() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scenario_path = root.join(format!("../../scenarios/nlb/{SCENARIO}.toml"));
    let golden_path = root.join(format!("tests/golden/{SCENARIO}.txt"));
    let scenario = hoplab_scenario::load(&scenario_path)
        .unwrap_or_else(|e| panic!("loading {}: {e}", scenario_path.display()));
    // A pinned clock keeps every date and duration in the output stable.
    let explanation = hoplab_model::explain(&scenario, datetime!(2026-01-01 00:00:00 UTC));
    let actual = hoplab_model::render_text(&explanation);

    if std::env::var_os("HOPLAB_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&golden_path, &actual)
            .unwrap_or_else(|e| panic!("writing {}: {e}", golden_path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&golden_path).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e}\n(run with HOPLAB_BLESS=1 to create it)",
            golden_path.display()
        )
    });
    if actual != expected {
        let first = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e)
            .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
        let rule = "-".repeat(72);
        panic!(
            "render_text differs from {} at line {}\n  expected: {:?}\n  actual:   {:?}\n\
             {rule}\nactual output:\n{actual}{rule}\n\
             If the change is intended, run with HOPLAB_BLESS=1 and review the diff.",
            golden_path.display(),
            first + 1,
            expected.lines().nth(first).unwrap_or("(end of file)"),
            actual.lines().nth(first).unwrap_or("(end of output)"),
        );
    }
}
