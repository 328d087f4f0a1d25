//! Prints the model's explanation of several scenario files at once: `cargo run -p
//! hoplab-model --example explain -- scenarios/*/*.toml` (`hoplab explain FILE` does one).

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for arg in std::env::args_os().skip(1) {
        match hoplab_scenario::load(std::path::Path::new(&arg)) {
            Ok(scenario) => {
                let now = scenario.now().unwrap_or_else(time::OffsetDateTime::now_utc);
                print!(
                    "{}",
                    hoplab_model::render_text(&hoplab_model::explain(&scenario, now))
                );
                println!();
            }
            Err(error) => {
                eprintln!("{error}");
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}
