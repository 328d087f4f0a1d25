//! Not published: holds `tests/dashboard.rs`, which starts the real `hoplab up` on a bundled
//! scenario and drives its dashboard in Debian's Chromium through WebDriver (`chromedriver`
//! and `fantoccini`). It is kept out of the workspace's default members so that `make test`
//! does not build a WebDriver client; `make ui-test` runs it, and CI calls that.
//!
//! # Layout
//! - `tests/dashboard.rs`: the browser test.
