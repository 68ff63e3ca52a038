//! hcx, the Healthcare Export Exchange: the web UI, JSON API and command line
//! over the domain, store and search crates.

pub mod bench;
pub mod bench_alerts;
pub mod bench_consortium;
pub mod bench_screen;
pub mod cases_cli;
pub mod cli;
pub mod config;
pub mod demo;
pub mod eval;
pub mod eval_screen;
pub mod quote_cli;
pub mod screen_cli;
pub mod server;
pub mod services;
pub mod table;
pub mod telemetry;
pub mod web;
