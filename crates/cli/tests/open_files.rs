//! A scenario with more targets than the open-file limit allows fails before anything is
//! bound, saying how many files it needs and how to get them.

mod support;

use std::fmt::Write as _;
use std::process::Command;

use support::{stderr, write_scenario};

#[test]
fn too_many_targets_for_the_open_file_limit_fail_before_binding() {
    let mut text = String::from(
        "[gateway]\n[[gateway.routes]]\npath = \"/t0\"\nuri = \"http://t0.example.com/\"\n",
    );
    for i in 0..60 {
        write!(
            text,
            "[targets.t{i}]\nprotocol = \"HTTP\"\ndns_names = [\"t{i}.example.com\"]\n"
        )
        .expect("writes to a string");
    }
    text.push_str("[[requests]]\npath = \"/t0\"\n");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = write_scenario(&dir, "many.toml", &text);

    let output = Command::new("bash")
        .arg("-c")
        .arg(r#"ulimit -Sn 128 && exec "$0" run "$1""#)
        .arg(env!("CARGO_BIN_EXE_hoplab"))
        .arg(&file)
        .output()
        .expect("bash runs");
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("open files"), "{stderr}");
    assert!(stderr.contains("60 targets"), "{stderr}");
    assert!(stderr.contains("may open 128"), "{stderr}");
    assert!(stderr.contains("ulimit -n"), "{stderr}");
}
