//! The scenario parser and validator on arbitrary text: every input must give a scenario or a
//! located error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(hoplab_scenario::LoadError::Invalid(errors)) =
            hoplab_scenario::from_toml(text, "fuzz.toml")
        {
            assert!(
                !errors.is_empty(),
                "an invalid scenario reports at least one error"
            );
            for error in &errors {
                assert!(error.location.line >= 1, "error without a line: {error}");
            }
        }
    }
});
