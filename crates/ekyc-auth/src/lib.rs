//! Tenants, key pairs and the two signed tokens of the contract.
//!
//! A client exchanges its key pair for a short-lived access token, then
//! sends it with its tenant token on every call. Both are HMAC-SHA256 JWTs
//! signed with one server secret; the algorithm is fixed server-side, so a
//! token cannot choose how it is checked.

mod keys;
mod limits;
mod service;
mod tokens;

pub use keys::signing_secret;
pub use limits::{
    Attempt, LimitSettings, Limited, Limits, Lockout, LockoutError, LockoutPolicy, TenantSlot,
};
pub use service::{
    Auth, AuthError, IssuedAccessToken, NewKey, NewTenant, Principal, DEFAULT_ACCESS_TOKEN_TTL_SECS,
};
