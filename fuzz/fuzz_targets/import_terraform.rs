//! The import on arbitrary text read as terraform show -json documents: every input must give a scenario or an
//! error naming the input, never a panic; a scenario written is always well-formed TOML, and
//! loading it gives a scenario or located errors.
#![no_main]

use hoplab_import::{ImportInputs, SourceFormat, SourceInput, import};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let inputs = ImportInputs {
        sources: vec![SourceInput {
            file: "fuzz.src".to_owned(),
            text: text.to_owned(),
            format: Some(SourceFormat::Terraform),
        }],
        ..ImportInputs::default()
    };
    match import(inputs) {
        Ok(imported) => {
            if let Err(error) = toml::from_str::<toml::Table>(&imported.toml) {
                panic!("the import wrote invalid TOML: {error}\n{}", imported.toml);
            }
            if let Err(hoplab_scenario::LoadError::Invalid(errors)) =
                hoplab_scenario::from_toml(&imported.toml, "fuzz.toml")
            {
                assert!(!errors.is_empty(), "an invalid scenario reports an error");
            }
        }
        Err(error) => assert!(
            error.to_string().contains("fuzz.src"),
            "the error names the input: {error}"
        ),
    }
});
