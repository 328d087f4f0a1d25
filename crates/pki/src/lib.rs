//! hoplab-pki (in progress).
