//! faultline: finds the code that breaks when the product scales.
//!
//! The pipeline reads as a few named steps ([`scan::scan`]):
//! walk → parse → extract facts → project model → rules → findings → rank →
//! emit. Findings are plain data; only [`emit`] knows about terminals.

pub mod baseline;
pub mod classify;
pub mod cli;
pub mod config;
pub mod emit;
pub mod facts;
pub mod finding;
pub mod lang;
pub mod layout;
pub mod model;
pub mod orm;
pub mod push;
pub mod rank;
pub mod register;
pub mod rules;
pub mod scan;
pub mod schema;
pub mod source;
pub mod suppress;
pub mod walk;
