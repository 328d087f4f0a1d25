//! Every whole scenario the documentation shows (a ```toml block with a route) runs as
//! written and meets its expectations, so the README and docs/ cannot drift from the parser.

use std::path::{Path, PathBuf};

use hoplab_tests::run_and_assert_passed;

/// README.md and every page under docs/.
fn documentation_pages() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut pages = vec![root.join("README.md")];
    let docs = std::fs::read_dir(root.join("docs")).expect("docs/ is readable");
    let mut more: Vec<PathBuf> = docs
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    more.sort();
    pages.extend(more);
    pages
}

/// The ```toml blocks of `text` that are whole scenarios, with the line each starts on.
fn scenario_blocks(text: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (index, line) in text.lines().enumerate() {
        match (&mut open, line.trim_end()) {
            (None, "```toml") => open = Some((index + 2, String::new())),
            (Some(_), "```") => {
                let (start, body) = open.take().expect("a block is open");
                if body.contains("[[gateway.routes]]") {
                    blocks.push((start, body));
                }
            }
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_scenario_runs_as_written() {
    let mut count = 0;
    for page in documentation_pages() {
        let text = std::fs::read_to_string(&page).expect("the page is readable");
        for (line, block) in scenario_blocks(&text) {
            let scenario = hoplab_scenario::Scenario::from_toml_str(&block)
                .unwrap_or_else(|e| panic!("{}:{line}: {e}", page.display()));
            assert!(
                !scenario.requests().is_empty(),
                "{}:{line}: a documented scenario sends at least one request",
                page.display()
            );
            run_and_assert_passed(&scenario).await;
            count += 1;
        }
    }
    assert!(
        count >= 2,
        "the README and the scenario reference each show a scenario"
    );
}
