//! hoplab-nlb (in progress).
