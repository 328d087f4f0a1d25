//! [`patch`]: `aws apigateway update-integration --patch-operations` applied to a scenario.

use hoplab_import::RouteSelector;
use hoplab_scenario::Scenario;

use crate::Result;

/// Applies patch operations, as `aws apigateway update-integration --patch-operations`
/// takes them (shorthand or JSON), to the routes `routes` selects, then validates the
/// scenario again with every rule of a scenario file. Returns how many routes were patched;
/// on error the scenario is unchanged.
///
/// # Errors
///
/// [`Error::Patch`](crate::Error::Patch) when the operations are malformed or unsupported,
/// or leave a route AWS would refuse.
pub fn patch(scenario: &mut Scenario, operations: &str, routes: &RouteSelector) -> Result<usize> {
    let operations = hoplab_import::parse_patch_operations(operations)?;
    Ok(hoplab_import::apply_to_scenario(
        scenario,
        routes,
        &operations,
    )?)
}
