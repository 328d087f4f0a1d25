//! Runs the benchmark in its smallest mode and checks that it measured every figure. No
//! timing is asserted: only that each measurement ran and printed a value and its reference.

use std::path::Path;
use std::process::Command;

#[test]
fn smoke_run_prints_every_figure() {
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let output = Command::new(env!("CARGO_BIN_EXE_hoplab-bench"))
        .arg("--smoke")
        .arg("--scenarios")
        .arg(&scenarios)
        .output()
        .expect("the benchmark binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );

    assert!(stdout.contains("cores:"), "{stdout}");
    assert!(stdout.contains("rustc:"), "{stdout}");
    assert!(stdout.contains("haproxy:"), "{stdout}");
    for section in 1..=7 {
        let rows: Vec<&str> = stdout
            .lines()
            .filter(|l| l.starts_with(&format!("| {section} |")))
            .collect();
        assert!(
            !rows.is_empty(),
            "no rows for measurement {section}:\n{stdout}"
        );
        for row in rows {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            // | # | figure | hoplab | reference | ratio | target | met |
            assert!(
                cells[3] != "–" && !cells[3].is_empty(),
                "no hoplab value in {row}"
            );
        }
    }
    for figure in [
        "library in process",
        "reference unit",
        "TCP passthrough vs the same transfer direct",
        "TLS full handshakes/s",
        "TLS bulk over one connection",
        "idle connections through a TCP listener",
        "idle connections through a TLS listener",
        "requests/s",
        "p99 latency",
        "ALB HTTPS listener → HTTP target",
        "ALB CPU per request",
        "SSE subscribers reading /_hoplab/api/events",
    ] {
        assert!(stdout.contains(figure), "missing {figure:?}:\n{stdout}");
    }
    // The passthrough is compared with the direct transfer measured in the same run.
    let direct = stdout
        .lines()
        .find(|l| l.contains("TCP passthrough vs the same transfer direct"))
        .expect("direct row");
    let ratio = direct.split('|').map(str::trim).nth(5).expect("ratio cell");
    assert!(ratio.parse::<f64>().is_ok_and(|r| r > 0.0), "{direct}");
    // Every bundled scenario has its breakdown row.
    for path in hoplab_scenario::scenario_files(&[scenarios]).expect("scenarios/") {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(stdout.contains(&format!("| {stem} |")), "no row for {stem}");
    }
}
