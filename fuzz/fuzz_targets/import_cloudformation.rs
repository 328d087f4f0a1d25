//! The import on arbitrary text read as CloudFormation templates (JSON, or YAML with short-form tags) (see `import_source`).
#![no_main]

#[path = "import_source.rs"]
mod import_source;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| import_source::check(data, hoplab_import::SourceFormat::CloudFormation));
