//! hcx's integration tests: the router in-process, and the `hcx` binary.

mod access;
mod alerts;
mod api;
mod browser;
mod cli;
mod consortium;
mod diligence;
mod load;
mod quotes;
mod screening;
mod support;
mod ui;
