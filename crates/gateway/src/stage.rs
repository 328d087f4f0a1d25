//! The stage in a request's path, read as API Gateway's invoke URL reads it:
//! `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/{resource path}`.
//!
//! The front takes the first path segment as the stage. A request on the scenario's stage is
//! routed by the rest of its path (`/test/pets` reaches the resource `/pets`); a request on
//! any other stage gets API Gateway's answer for a stage that does not exist. A path whose
//! whole is a route's resource path (`/pets`) is served as that resource too, so the
//! scenario's `[[requests]]` paths, which name resources, reach their routes (a hoplab
//! convenience: AWS would read `pets` as a stage; see the choices table in docs/choices.md).
//! An HTTP API's `$default` stage is served at the root: every path is a resource path.

/// Which resource a request path names, if any stage of this API serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StagePath<'p> {
    /// The resource path to route by (a route may still not serve it).
    Resource(&'p str),
    /// The first segment names a stage this API does not have.
    MissingStage,
}

/// Reads `path` (without its query) against the API's one stage `stage` (`None`: a
/// `$default` stage, served at the root, so the path is the resource path); `serves` says
/// whether some route serves a resource path.
pub(crate) fn resolve<'p>(
    stage: Option<&str>,
    path: &'p str,
    serves: impl Fn(&str) -> bool,
) -> StagePath<'p> {
    let Some(stage) = stage else {
        return StagePath::Resource(path);
    };
    let on_stage = strip_stage(stage, path);
    if let Some(resource) = on_stage
        && serves(resource)
    {
        return StagePath::Resource(resource);
    }
    if serves(path) {
        return StagePath::Resource(path);
    }
    match on_stage {
        Some(resource) => StagePath::Resource(resource),
        None => StagePath::MissingStage,
    }
}

/// The resource path after `/{stage}`: `/` for `/{stage}` and `/{stage}/`, `None` when the
/// first segment is another name.
fn strip_stage<'p>(stage: &str, path: &'p str) -> Option<&'p str> {
    let rest = path.strip_prefix('/')?.strip_prefix(stage)?;
    if rest.is_empty() {
        return Some("/");
    }
    rest.starts_with('/').then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pets(path: &str) -> bool {
        path == "/pets" || path == "/"
    }

    #[test]
    fn the_stage_segment_names_the_resource_after_it() {
        assert_eq!(
            resolve(Some("test"), "/test/pets", pets),
            StagePath::Resource("/pets")
        );
        assert_eq!(
            resolve(Some("test"), "/test", pets),
            StagePath::Resource("/")
        );
        assert_eq!(
            resolve(Some("test"), "/test/", pets),
            StagePath::Resource("/")
        );
        assert_eq!(
            resolve(Some("test"), "/test/nowhere", pets),
            StagePath::Resource("/nowhere"),
            "on the stage, an unknown resource is routed (and answered as missing)"
        );
    }

    #[test]
    fn a_default_stage_reads_every_path_as_a_resource_path() {
        assert_eq!(resolve(None, "/pets", pets), StagePath::Resource("/pets"));
        assert_eq!(
            resolve(None, "/test/pets", pets),
            StagePath::Resource("/test/pets")
        );
        assert_eq!(resolve(None, "/", pets), StagePath::Resource("/"));
    }

    #[test]
    fn another_stage_is_missing() {
        assert_eq!(
            resolve(Some("test"), "/prod/pets", pets),
            StagePath::MissingStage
        );
        assert_eq!(
            resolve(Some("test"), "/testing/pets", pets),
            StagePath::MissingStage
        );
        assert_eq!(
            resolve(Some("test"), "/nowhere", pets),
            StagePath::MissingStage
        );
    }

    #[test]
    fn a_resource_path_without_the_stage_is_served_as_written() {
        assert_eq!(
            resolve(Some("test"), "/pets", pets),
            StagePath::Resource("/pets")
        );
        assert_eq!(resolve(Some("test"), "/", pets), StagePath::Resource("/"));
        // A route under a segment named like the stage keeps working.
        let nested = |p: &str| p == "/test/pets";
        assert_eq!(
            resolve(Some("test"), "/test/pets", nested),
            StagePath::Resource("/test/pets")
        );
        assert_eq!(
            resolve(Some("test"), "/test/test/pets", nested),
            StagePath::Resource("/test/pets")
        );
    }
}
