//! hoplab-runner (in progress).
