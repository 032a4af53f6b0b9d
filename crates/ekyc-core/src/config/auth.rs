//! Tokens, rate limits and the verification lockout; the defaults are
//! `ekyc-auth`'s.

use std::time::Duration;

use ekyc_auth::{LimitSettings, LockoutPolicy, DEFAULT_ACCESS_TOKEN_TTL_SECS};
use serde::Deserialize;

use super::Secret;

/// Who may call, and how often.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    /// Base64 of the token-signing secret (at least 32 bytes). When unset a
    /// random one is generated on first start and kept in the data dir.
    pub signing_key: Option<Secret>,
    /// Lifetime of access tokens issued by `POST /v1/auth/token`.
    pub access_token_ttl_secs: u64,
    /// Requests per second each access key may make (sustained)...
    pub rate_limit_per_second: u32,
    /// ...and in a burst.
    pub rate_limit_burst: u32,
    /// `POST /v1/auth/token` attempts per minute, per access key and per
    /// client address: secret guessing is slow by construction.
    pub token_attempts_per_minute: u32,
    /// Behind a reverse proxy: take the client address (for token-attempt
    /// limits) from the last `X-Forwarded-For` entry. Only when every
    /// request comes through a proxy that sets it.
    pub trust_forwarded_for: bool,
    /// Image requests one tenant may have in progress at once.
    pub tenant_max_concurrent: usize,
    /// Consecutive mismatches of one user that lock its verification...
    pub lockout_after_failures: u32,
    /// ...for this long, doubling with each further lock...
    pub lockout_secs: u64,
    /// ...up to this.
    pub lockout_max_secs: u64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        let limits = LimitSettings::default();
        let lockout = LockoutPolicy::default();
        Self {
            signing_key: None,
            access_token_ttl_secs: DEFAULT_ACCESS_TOKEN_TTL_SECS,
            rate_limit_per_second: limits.requests_per_second,
            rate_limit_burst: limits.burst,
            token_attempts_per_minute: limits.token_attempts_per_minute,
            trust_forwarded_for: false,
            tenant_max_concurrent: limits.tenant_max_concurrent,
            lockout_after_failures: lockout.after_failures,
            lockout_secs: lockout.lock.as_secs(),
            lockout_max_secs: lockout.max_lock.as_secs(),
        }
    }
}

impl AuthSettings {
    /// The per-node rate and concurrency limits.
    pub fn limits(&self) -> LimitSettings {
        LimitSettings {
            requests_per_second: self.rate_limit_per_second,
            burst: self.rate_limit_burst,
            token_attempts_per_minute: self.token_attempts_per_minute,
            tenant_max_concurrent: self.tenant_max_concurrent,
        }
    }

    /// The verification lockout, whose reservations expire after
    /// `reservation_ttl` (longer than any request may run).
    pub fn lockout(&self, reservation_ttl: Duration) -> LockoutPolicy {
        LockoutPolicy {
            after_failures: self.lockout_after_failures,
            lock: Duration::from_secs(self.lockout_secs),
            max_lock: Duration::from_secs(self.lockout_max_secs),
            reservation_ttl,
        }
    }
}
