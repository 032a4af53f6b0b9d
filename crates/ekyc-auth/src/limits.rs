//! Abuse limits (OWASP API4 and API6): request rates per access key,
//! token attempts per key and per client address, image requests in
//! progress per tenant, and the verification lockout of NIST SP 800-63B.
//!
//! Rates and concurrency are counted in each node's memory (a client
//! spread over `n` nodes gets up to `n` times the rate); the lockout is
//! kept in the store, so it holds across nodes and restarts.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ekyc_store::{Store, StoreError};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Refused for now; try again after `retry_after_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{reason}; retry after {retry_after_secs} s")]
pub struct Limited {
    pub reason: &'static str,
    pub retry_after_secs: u64,
}

/// The configurable numbers.
#[derive(Debug, Clone, Copy)]
pub struct LimitSettings {
    pub requests_per_second: u32,
    pub burst: u32,
    pub token_attempts_per_minute: u32,
    pub tenant_max_concurrent: usize,
}

/// In-memory limits of this node.
pub struct Limits {
    per_key: DefaultKeyedRateLimiter<String>,
    token_per_key: DefaultKeyedRateLimiter<String>,
    token_per_address: DefaultKeyedRateLimiter<IpAddr>,
    tenant_max_concurrent: usize,
    in_progress: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Holds one of a tenant's concurrent request slots until dropped.
pub struct TenantSlot {
    _permit: OwnedSemaphorePermit,
}

fn at_least_one(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn check<K: Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
    reason: &'static str,
) -> Result<(), Limited> {
    limiter.check_key(key).map_err(|not_until| Limited {
        reason,
        retry_after_secs: not_until
            .wait_time_from(DefaultClock::default().now())
            .as_secs()
            .max(1),
    })
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Self {
        let requests = Quota::per_second(at_least_one(settings.requests_per_second))
            .allow_burst(at_least_one(settings.burst));
        let tokens = Quota::per_minute(at_least_one(settings.token_attempts_per_minute));
        Self {
            per_key: RateLimiter::keyed(requests),
            token_per_key: RateLimiter::keyed(tokens),
            token_per_address: RateLimiter::keyed(tokens),
            tenant_max_concurrent: settings.tenant_max_concurrent.max(1),
            in_progress: Mutex::default(),
        }
    }

    /// One authenticated request by `access_key`.
    pub fn request(&self, access_key: &str) -> Result<(), Limited> {
        check(
            &self.per_key,
            &access_key.to_owned(),
            "request rate limit of this access key",
        )
    }

    /// One token attempt, counted for the key and for the client address.
    pub fn token_attempt(&self, access_key: &str, client: Option<IpAddr>) -> Result<(), Limited> {
        if let Some(address) = client {
            check(
                &self.token_per_address,
                &address,
                "token attempts from this address",
            )?;
        }
        check(
            &self.token_per_key,
            &access_key.to_owned(),
            "token attempts for this access key",
        )
    }

    /// A slot for one image request of the tenant, if one is free.
    pub fn tenant_slot(&self, tenant_id: &str) -> Result<TenantSlot, Limited> {
        let semaphore = self
            .in_progress
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(tenant_id.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.tenant_max_concurrent)))
            .clone();
        semaphore
            .try_acquire_owned()
            .map(|permit| TenantSlot { _permit: permit })
            .map_err(|_| Limited {
                reason: "too many requests of this tenant in progress",
                retry_after_secs: 1,
            })
    }

    /// Drops the state of keys and addresses not seen lately, so that
    /// memory does not grow with every address that ever called.
    pub fn forget_idle(&self) {
        self.per_key.retain_recent();
        self.token_per_key.retain_recent();
        self.token_per_address.retain_recent();
        self.per_key.shrink_to_fit();
        self.token_per_key.shrink_to_fit();
        self.token_per_address.shrink_to_fit();
        self.in_progress
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .retain(|_, s| Arc::strong_count(s) > 1);
    }
}

/// The verification lockout: after `after_failures` consecutive
/// mismatches a user's verification is refused for `lock`, doubling with
/// each further lock up to `max_lock`. A match resets it.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub after_failures: u32,
    pub lock: Duration,
    pub max_lock: Duration,
}

pub struct Lockout {
    store: Arc<dyn Store>,
    policy: LockoutPolicy,
}

impl Lockout {
    pub fn new(store: Arc<dyn Store>, policy: LockoutPolicy) -> Self {
        Self { store, policy }
    }

    /// Refuses while the user is locked.
    pub async fn check(
        &self,
        tenant_id: &str,
        user_code: &str,
        now: i64,
    ) -> Result<(), LockoutError> {
        let attempts = self.store.verify_attempts(tenant_id, user_code).await?;
        if attempts.locked_until > now {
            return Err(LockoutError::Locked(Limited {
                reason: "too many failed verifications of this user",
                retry_after_secs: (attempts.locked_until - now) as u64,
            }));
        }
        Ok(())
    }

    /// Records a verification's outcome. The count is kept by the store
    /// in single statements, so verifications failing at the same moment
    /// (on one node or several) each count, and only one of them locks.
    pub async fn record(
        &self,
        tenant_id: &str,
        user_code: &str,
        matched: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        if matched {
            return self.store.clear_verify_attempts(tenant_id, user_code).await;
        }
        let counted = self
            .store
            .count_verify_failure(tenant_id, user_code)
            .await?;
        if counted.failures < self.policy.after_failures.max(1) {
            return Ok(());
        }
        let locked_until = now + self.lock_after(counted.lockouts).as_secs() as i64;
        let locked = self
            .store
            .lock_verify(tenant_id, user_code, counted.lockouts, locked_until)
            .await?;
        if locked {
            tracing::warn!(
                tenant = tenant_id,
                lockouts = counted.lockouts + 1,
                "user verification locked"
            );
        }
        Ok(())
    }

    /// How long the lock after `lockouts` earlier ones lasts.
    fn lock_after(&self, lockouts: u32) -> Duration {
        let doubling = 2u32.saturating_pow(lockouts.min(20));
        self.policy
            .lock
            .saturating_mul(doubling)
            .min(self.policy.max_lock)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockoutError {
    #[error(transparent)]
    Locked(Limited),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use ekyc_store::{SqlStore, Tenant};

    fn limits(per_second: u32, burst: u32, tenant_max: usize) -> Limits {
        Limits::new(LimitSettings {
            requests_per_second: per_second,
            burst,
            token_attempts_per_minute: 3,
            tenant_max_concurrent: tenant_max,
        })
    }

    #[test]
    fn request_rate_is_per_key() {
        let limits = limits(1, 2, 1);
        assert!(limits.request("AK1").is_ok());
        assert!(limits.request("AK1").is_ok());
        let refused = limits.request("AK1").unwrap_err();
        assert!(refused.retry_after_secs >= 1);
        assert!(limits.request("AK2").is_ok());
    }

    #[test]
    fn token_attempts_count_per_address_too() {
        let limits = limits(1, 1, 1);
        let address: IpAddr = "192.0.2.7".parse().unwrap();
        for key in ["AK1", "AK2", "AK3"] {
            assert!(limits.token_attempt(key, Some(address)).is_ok());
        }
        assert!(limits.token_attempt("AK4", Some(address)).is_err());
        assert!(limits.token_attempt("AK4", None).is_ok());
    }

    #[test]
    fn tenant_slots_are_released_on_drop() {
        let limits = limits(1, 1, 2);
        let first = limits.tenant_slot("a").unwrap();
        let _second = limits.tenant_slot("a").unwrap();
        assert!(limits.tenant_slot("a").is_err());
        assert!(limits.tenant_slot("b").is_ok());
        drop(first);
        assert!(limits.tenant_slot("a").is_ok());
        limits.forget_idle();
    }

    async fn lockout(dir: &tempfile::TempDir, after_failures: u32) -> Lockout {
        let store = Arc::new(SqlStore::sqlite(&dir.path().join("db")).await.unwrap());
        store
            .create_tenant(&Tenant {
                id: "a".into(),
                name: "a".into(),
                token_epoch: 0,
                created_at: 0,
            })
            .await
            .unwrap();
        Lockout::new(
            store,
            LockoutPolicy {
                after_failures,
                lock: Duration::from_secs(30),
                max_lock: Duration::from_secs(100),
            },
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn failures_at_the_same_moment_all_count() {
        let dir = tempfile::tempdir().unwrap();
        let lockout = Arc::new(lockout(&dir, 40).await);
        let now = 1000;
        let failing: Vec<_> = (0..39)
            .map(|_| {
                let lockout = lockout.clone();
                tokio::spawn(async move { lockout.record("a", "u", false, now).await })
            })
            .collect();
        for task in failing {
            task.await.unwrap().unwrap();
        }
        assert!(lockout.check("a", "u", now).await.is_ok(), "39 of 40");
        lockout.record("a", "u", false, now).await.unwrap();
        assert!(
            lockout.check("a", "u", now).await.is_err(),
            "the 40th failure locks: none was lost"
        );
    }

    #[tokio::test]
    async fn lockout_grows_and_a_match_resets_it() {
        let dir = tempfile::tempdir().unwrap();
        let lockout = lockout(&dir, 5).await;
        let mut now = 1000;
        for _ in 0..4 {
            lockout.record("a", "u", false, now).await.unwrap();
            assert!(lockout.check("a", "u", now).await.is_ok());
        }
        lockout.record("a", "u", false, now).await.unwrap();
        let Err(LockoutError::Locked(limited)) = lockout.check("a", "u", now).await else {
            panic!("fifth failure must lock");
        };
        assert_eq!(limited.retry_after_secs, 30);
        assert!(lockout.check("a", "other", now).await.is_ok());
        now += 30;
        assert!(lockout.check("a", "u", now).await.is_ok());
        for _ in 0..5 {
            lockout.record("a", "u", false, now).await.unwrap();
        }
        let Err(LockoutError::Locked(limited)) = lockout.check("a", "u", now).await else {
            panic!("second lock");
        };
        assert_eq!(limited.retry_after_secs, 60);
        now += 60;
        for _ in 0..5 {
            lockout.record("a", "u", false, now).await.unwrap();
        }
        let Err(LockoutError::Locked(limited)) = lockout.check("a", "u", now).await else {
            panic!("third lock");
        };
        assert_eq!(limited.retry_after_secs, 100, "capped");
        now += 100;
        lockout.record("a", "u", true, now).await.unwrap();
        for _ in 0..4 {
            lockout.record("a", "u", false, now).await.unwrap();
        }
        assert!(
            lockout.check("a", "u", now).await.is_ok(),
            "match reset the count"
        );
    }
}
