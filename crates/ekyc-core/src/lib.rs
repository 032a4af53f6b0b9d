//! Vocabulary shared by the HTTP layer and the CLI of the eKYC server: the
//! settings the operator controls and the error codes of the API contract.
//!
//! The settings compose each domain's own configuration (their defaults
//! are the domain crates'), so this crate sits above the domain crates and
//! below `ekyc-http` and the binary; the error codes live here once, so
//! that the HTTP layer and the CLI cannot drift apart on which HTTP status
//! a contract code carries.

mod config;
mod error;

pub use config::{
    AuthSettings, ConfigError, DocumentSettings, FaceSettings, LivenessSettings, Secret,
    ServerSettings, Settings, StoreSettings,
};
pub use error::{ErrorCode, Lang};
