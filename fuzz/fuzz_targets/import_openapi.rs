//! The import on arbitrary text read as OpenAPI exports (JSON or YAML) (see `import_source`).
#![no_main]

#[path = "import_source.rs"]
mod import_source;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| import_source::check(data, hoplab_import::SourceFormat::OpenApi));
