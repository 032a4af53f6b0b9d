//! Vocabulary shared by every crate of the eKYC server: the settings the
//! operator controls and the error codes of the API contract.
//!
//! Both live here, once, so that the HTTP layer, the CLI and the domain
//! crates cannot drift apart on what a setting means or which HTTP status a
//! contract code carries.

mod config;
mod error;

pub use config::{ConfigError, Settings};
pub use error::{ErrorCode, Lang};
