//! hoplab-target (in progress).
