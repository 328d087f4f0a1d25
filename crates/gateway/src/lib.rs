//! hoplab-gateway (in progress).
