//! Abuse limits (OWASP API4 and API6): request rates per access key,
//! token attempts per key and per client address, wrong admin tokens per
//! client address, image requests in progress per tenant, and the
//! verification lockout of NIST SP 800-63B.
//!
//! Rates and concurrency are counted in each node's memory (a client
//! spread over `n` nodes gets up to `n` times the rate); the lockout is
//! kept in the store, so it holds across nodes and restarts.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ekyc_store::{Store, StoreError, TenantId, UserKey};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Refused for now; try again after `retry_after_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{reason}; retry after {retry_after_secs} s")]
pub struct Limited {
    /// What was limited, for the answer's detail.
    pub reason: &'static str,
    /// When to try again.
    pub retry_after_secs: u64,
}

/// The configurable numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Requests per second per access key, sustained.
    pub requests_per_second: u32,
    /// Requests per access key in a burst.
    pub burst: u32,
    /// Token attempts per minute, per access key and per client address.
    pub token_attempts_per_minute: u32,
    /// Image requests one tenant may have in progress.
    pub tenant_max_concurrent: usize,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            requests_per_second: 50,
            burst: 100,
            token_attempts_per_minute: 30,
            tenant_max_concurrent: 16,
        }
    }
}

/// In-memory limits of this node.
pub struct Limits {
    per_key: DefaultKeyedRateLimiter<String>,
    token_per_key: DefaultKeyedRateLimiter<String>,
    token_per_address: DefaultKeyedRateLimiter<IpAddr>,
    tenant_max_concurrent: usize,
    in_progress: Mutex<HashMap<String, Arc<Semaphore>>>,
    admin_failures: Mutex<HashMap<IpAddr, FailureWindow>>,
    admin_failures_per_minute: u32,
}

/// Wrong admin tokens from one address in the minute that began with the
/// first of them.
#[derive(Debug, Clone, Copy)]
struct FailureWindow {
    started: Instant,
    failures: u32,
}

const FAILURE_WINDOW: Duration = Duration::from_secs(60);

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
    /// Limits of these numbers, each at least one.
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
            admin_failures: Mutex::default(),
            admin_failures_per_minute: settings.token_attempts_per_minute.max(1),
        }
    }

    /// Whether `client` may present the admin token now: refused (right
    /// token or not, so that a guess that hits cannot be told apart)
    /// after as many wrong ones in a minute as token attempts allow.
    pub fn admin_attempt(&self, client: Option<IpAddr>) -> Result<(), Limited> {
        let Some(address) = client else {
            return Ok(());
        };
        match self.lock_admin_failures().get(&address) {
            Some(window)
                if window.failures >= self.admin_failures_per_minute
                    && window.started.elapsed() < FAILURE_WINDOW =>
            {
                Err(Limited {
                    reason: "wrong admin tokens from this address",
                    retry_after_secs: FAILURE_WINDOW
                        .saturating_sub(window.started.elapsed())
                        .as_secs()
                        .max(1),
                })
            }
            _ => Ok(()),
        }
    }

    /// Counts a wrong (or missing) admin token from `client`.
    pub fn admin_failure(&self, client: Option<IpAddr>) {
        let Some(address) = client else {
            return;
        };
        let mut failures = self.lock_admin_failures();
        let window = failures.entry(address).or_insert(FailureWindow {
            started: Instant::now(),
            failures: 0,
        });
        if window.started.elapsed() >= FAILURE_WINDOW {
            *window = FailureWindow {
                started: Instant::now(),
                failures: 0,
            };
        }
        window.failures += 1;
    }

    fn lock_admin_failures(&self) -> MutexGuard<'_, HashMap<IpAddr, FailureWindow>> {
        self.admin_failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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
        self.lock_admin_failures()
            .retain(|_, window| window.started.elapsed() < FAILURE_WINDOW);
    }
}

/// The verification lockout: after `after_failures` consecutive
/// mismatches a user's verification is refused for `lock`, doubling with
/// each further lock up to `max_lock`. A match resets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Consecutive mismatches that lock.
    pub after_failures: u32,
    /// The first lock's length.
    pub lock: Duration,
    /// The longest lock.
    pub max_lock: Duration,
    /// A reservation older than this belongs to a request that died
    /// without giving it back: longer than any verification may run.
    pub reservation_ttl: Duration,
}

impl Default for LockoutPolicy {
    /// The reservation lives as long as the default request timeout (30 s)
    /// plus as much again for the clocks of several nodes.
    fn default() -> Self {
        Self {
            after_failures: 5,
            lock: Duration::from_secs(30),
            max_lock: Duration::from_secs(3600),
            reservation_ttl: Duration::from_secs(60),
        }
    }
}

/// Each verification reserves its attempt in the store before its
/// comparison, so that however many arrive at once (on one node or
/// several) no more than `after_failures` comparisons run in a lock
/// window: failures plus verifications in progress never pass it.
pub struct Lockout {
    store: Arc<dyn Store>,
    policy: LockoutPolicy,
}

impl Lockout {
    /// The lockout of `policy`, its state kept in `store`.
    pub fn new(store: Arc<dyn Store>, policy: LockoutPolicy) -> Self {
        Self { store, policy }
    }

    /// Admits one verification of the user, or refuses it while the user
    /// is locked or while as many verifications as it has attempts left
    /// are in progress.
    pub async fn reserve(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
        now: i64,
    ) -> Result<Attempt, LockoutError> {
        let stale_before = now - self.policy.reservation_ttl.as_secs() as i64;
        let reserved = self
            .store
            .reserve_verify_attempt(tenant_id, user_key, self.limit(), now, stale_before)
            .await?;
        if reserved.is_some() {
            return Ok(Attempt {
                store: self.store.clone(),
                policy: self.policy,
                tenant_id: tenant_id.clone(),
                user_key: user_key.clone(),
                settled: false,
            });
        }
        let attempts = self.store.verify_attempts(tenant_id, user_key).await?;
        Err(LockoutError::Locked(if attempts.locked_until > now {
            Limited {
                reason: "too many failed verifications of this user",
                retry_after_secs: (attempts.locked_until - now) as u64,
            }
        } else {
            Limited {
                reason: "too many verifications of this user in progress",
                retry_after_secs: 1,
            }
        }))
    }

    fn limit(&self) -> u32 {
        self.policy.after_failures.max(1)
    }
}

/// One verification admitted by [`Lockout::reserve`]. Say how its
/// comparison ended with [`Attempt::record`]; dropped without (no
/// comparison took place), it gives its reservation back.
pub struct Attempt {
    store: Arc<dyn Store>,
    policy: LockoutPolicy,
    tenant_id: TenantId,
    user_key: UserKey,
    settled: bool,
}

impl Attempt {
    /// Records the comparison's outcome: a match forgets the user's
    /// failures, a mismatch counts one (in a single statement, so that
    /// failures at the same moment all count) and the one that reaches
    /// the limit locks the user.
    pub async fn record(mut self, matched: bool, now: i64) -> Result<(), StoreError> {
        self.settled = true;
        let (tenant_id, user_key) = (&self.tenant_id, &self.user_key);
        if matched {
            return self.store.clear_verify_attempts(tenant_id, user_key).await;
        }
        let counted = self.store.count_verify_failure(tenant_id, user_key).await?;
        if counted.failures < self.policy.after_failures.max(1) {
            return Ok(());
        }
        let locked_until = now + lock_after(&self.policy, counted.lockouts).as_secs() as i64;
        let locked = self
            .store
            .lock_verify(tenant_id, user_key, counted.lockouts, locked_until)
            .await?;
        if locked {
            tracing::warn!(
                tenant = tenant_id.as_str(),
                lockouts = counted.lockouts + 1,
                "user verification locked"
            );
        }
        Ok(())
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let store = self.store.clone();
        let (tenant_id, user_key) = (self.tenant_id.clone(), self.user_key.clone());
        let release = async move {
            if let Err(e) = store.release_verify_attempt(&tenant_id, &user_key).await {
                let error: &(dyn std::error::Error + 'static) = &e;
                tracing::warn!(error, "verification reservation not given back: it expires");
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn(tracing::Instrument::in_current_span(release))),
            Err(_) => tracing::warn!("verification reservation not given back: it expires"),
        }
    }
}

/// How long the lock after `lockouts` earlier ones lasts.
fn lock_after(policy: &LockoutPolicy, lockouts: u32) -> Duration {
    let doubling = 2u32.saturating_pow(lockouts.min(20));
    policy.lock.saturating_mul(doubling).min(policy.max_lock)
}

/// Why a verification may not proceed.
#[derive(Debug, thiserror::Error)]
pub enum LockoutError {
    /// The user is locked.
    #[error(transparent)]
    Locked(Limited),
    /// The store failed.
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
    fn wrong_admin_tokens_block_their_address_for_the_minute() {
        let limits = limits(1, 1, 1);
        let (guesser, other): (IpAddr, IpAddr) =
            ("192.0.2.7".parse().unwrap(), "192.0.2.8".parse().unwrap());
        for _ in 0..3 {
            assert!(limits.admin_attempt(Some(guesser)).is_ok());
            limits.admin_failure(Some(guesser));
        }
        let refused = limits.admin_attempt(Some(guesser)).unwrap_err();
        assert!((1..=60).contains(&refused.retry_after_secs));
        assert!(limits.admin_attempt(Some(other)).is_ok());
        limits.forget_idle();
        assert!(
            limits.admin_attempt(Some(guesser)).is_err(),
            "kept for the minute"
        );
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
                reservation_ttl: Duration::from_secs(60),
            },
        )
    }

    /// One verification that compared and did not match.
    async fn mismatch(lockout: &Lockout, now: i64) {
        let attempt = lockout
            .reserve(&"a".into(), &"u".into(), now)
            .await
            .unwrap();
        attempt.record(false, now).await.unwrap();
    }

    fn is_locked(result: Result<Attempt, LockoutError>) -> Option<Limited> {
        match result {
            Err(LockoutError::Locked(limited)) => Some(limited),
            Err(other) => panic!("{other}"),
            Ok(_) => None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn parallel_verifications_get_no_more_comparisons_than_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let lockout = Arc::new(lockout(&dir, 5).await);
        let now = 1000;
        let racing: Vec<_> = (0..32)
            .map(|_| {
                let lockout = lockout.clone();
                tokio::spawn(async move {
                    let attempt = lockout.reserve(&"a".into(), &"u".into(), now).await.ok()?;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    attempt.record(false, now).await.unwrap();
                    Some(())
                })
            })
            .collect();
        let mut compared = 0;
        for task in racing {
            compared += usize::from(task.await.unwrap().is_some());
        }
        assert_eq!(compared, 5);
        let locked =
            is_locked(lockout.reserve(&"a".into(), &"u".into(), now).await).expect("locked");
        assert_eq!(locked.retry_after_secs, 30);
    }

    #[tokio::test]
    async fn an_attempt_dropped_unrecorded_is_given_back() {
        let dir = tempfile::tempdir().unwrap();
        let lockout = lockout(&dir, 2).await;
        let now = 1000;
        let first = lockout
            .reserve(&"a".into(), &"u".into(), now)
            .await
            .unwrap();
        let _second = lockout
            .reserve(&"a".into(), &"u".into(), now)
            .await
            .unwrap();
        let busy = is_locked(lockout.reserve(&"a".into(), &"u".into(), now).await)
            .expect("two in progress");
        assert_eq!(busy.retry_after_secs, 1);
        drop(first);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while is_locked(lockout.reserve(&"a".into(), &"u".into(), now).await).is_some() {
            assert!(std::time::Instant::now() < deadline, "not given back");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn lockout_grows_and_a_match_resets_it() {
        let dir = tempfile::tempdir().unwrap();
        let lockout = lockout(&dir, 5).await;
        let mut now = 1000;
        for _ in 0..4 {
            mismatch(&lockout, now).await;
        }
        mismatch(&lockout, now).await;
        let limited = is_locked(lockout.reserve(&"a".into(), &"u".into(), now).await)
            .expect("fifth failure locks");
        assert_eq!(limited.retry_after_secs, 30);
        assert!(lockout
            .reserve(&"a".into(), &"other".into(), now)
            .await
            .is_ok());
        now += 30;
        for _ in 0..5 {
            mismatch(&lockout, now).await;
        }
        let limited =
            is_locked(lockout.reserve(&"a".into(), &"u".into(), now).await).expect("second lock");
        assert_eq!(limited.retry_after_secs, 60);
        now += 60;
        for _ in 0..5 {
            mismatch(&lockout, now).await;
        }
        let limited =
            is_locked(lockout.reserve(&"a".into(), &"u".into(), now).await).expect("third lock");
        assert_eq!(limited.retry_after_secs, 100, "capped");
        now += 100;
        let genuine = lockout
            .reserve(&"a".into(), &"u".into(), now)
            .await
            .unwrap();
        genuine.record(true, now).await.unwrap();
        for _ in 0..4 {
            mismatch(&lockout, now).await;
        }
        assert!(
            lockout.reserve(&"a".into(), &"u".into(), now).await.is_ok(),
            "the match reset the count"
        );
    }
}
