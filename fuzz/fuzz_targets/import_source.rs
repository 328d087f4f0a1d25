//! What the three import targets share: arbitrary text read as one source format must give a
//! scenario or an error naming the input, never a panic; a scenario written is always
//! well-formed TOML, and loading it gives a scenario or located errors.

use hoplab_import::{ImportInputs, SourceFormat, SourceInput, import};

/// Imports `data` (when it is UTF-8) as `format` and checks the outcome.
pub fn check(data: &[u8], format: SourceFormat) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let inputs = ImportInputs {
        sources: vec![SourceInput {
            file: "fuzz.src".to_owned(),
            text: text.to_owned(),
            format: Some(format),
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
}
