//! hcx's integration tests: the router in-process, and the `hcx` binary.

mod api;
mod cli;
mod support;
