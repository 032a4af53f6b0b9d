//! The audit trail over the store, with a spool for records the database
//! refuses (a full disk, an outage): every request that did its work has
//! its record in the database or in the spool, which a background task
//! writes out, oldest first, as soon as the database takes writes again.
//!
//! The spool is memory, bounded: when it is full the server refuses new
//! requests (see [`AuditTrail::is_full`]) rather than do work it cannot
//! record. Records still spooled when the process dies are lost; the
//! server logs how many it could not write at shutdown.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::{AuditRecord, Store, StoreError, TenantId};

/// Records held at most while the database refuses them (about 3 MiB).
pub const AUDIT_SPOOL_CAPACITY: usize = 10_000;

/// Where a record went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// In the database.
    Written,
    /// Kept in memory until the database takes it.
    Spooled,
}

/// Neither written nor spooled: the spool is full.
#[derive(Debug, thiserror::Error)]
#[error("audit spool full ({capacity} records): record dropped")]
pub struct SpoolFull {
    /// The spool's size.
    pub capacity: usize,
}

/// The audit trail: records go to the store, or are spooled in memory
/// while it refuses them and written later, so that no acknowledged
/// request goes unrecorded.
pub struct AuditTrail {
    store: Arc<dyn Store>,
    spool: Mutex<VecDeque<AuditRecord>>,
    capacity: usize,
    /// One flush at a time, so no record is written twice.
    flushing: tokio::sync::Mutex<()>,
}

impl AuditTrail {
    /// A trail over `store` with the default spool.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_capacity(store, AUDIT_SPOOL_CAPACITY)
    }

    /// A trail over `store` spooling at most `capacity` records.
    pub fn with_capacity(store: Arc<dyn Store>, capacity: usize) -> Self {
        Self {
            store,
            spool: Mutex::default(),
            capacity,
            flushing: tokio::sync::Mutex::new(()),
        }
    }

    /// Writes the record, or spools it when the database refuses it (or
    /// when earlier records still wait, so that the trail keeps its order).
    pub async fn append(&self, record: AuditRecord) -> Result<Appended, SpoolFull> {
        if self.pending() == 0 {
            match self.store.append_audit(&record).await {
                Ok(()) => return Ok(Appended::Written),
                Err(e) => {
                    let error: &(dyn std::error::Error + 'static) = &e;
                    tracing::warn!(error, "audit record spooled: the database refused it")
                }
            }
        }
        let mut spool = self.lock_spool();
        if spool.len() >= self.capacity {
            return Err(SpoolFull {
                capacity: self.capacity,
            });
        }
        spool.push_back(record);
        Ok(Appended::Spooled)
    }

    /// Records waiting in the spool.
    pub fn pending(&self) -> usize {
        self.lock_spool().len()
    }

    /// No room for another record: new requests must be refused.
    pub fn is_full(&self) -> bool {
        self.pending() >= self.capacity
    }

    /// Writes spooled records, oldest first, until the spool is empty or
    /// the database refuses one; returns how many were written.
    pub async fn flush(&self) -> Result<usize, StoreError> {
        let _one_at_a_time = self.flushing.lock().await;
        let mut written = 0;
        loop {
            let Some(oldest) = self.lock_spool().front().cloned() else {
                return Ok(written);
            };
            self.store.append_audit(&oldest).await?;
            self.lock_spool().pop_front();
            written += 1;
        }
    }

    /// The tenant's latest record with this transaction id, spooled or stored.
    pub async fn record(
        &self,
        tenant_id: &TenantId,
        trx_id: &str,
    ) -> Result<Option<AuditRecord>, StoreError> {
        let spooled = self
            .lock_spool()
            .iter()
            .rev()
            .find(|r| r.trx_id == trx_id && r.tenant_id.as_deref() == Some(tenant_id.as_str()))
            .cloned();
        match spooled {
            Some(record) => Ok(Some(record)),
            None => self.store.audit_record(tenant_id, trx_id).await,
        }
    }

    fn lock_spool(&self) -> MutexGuard<'_, VecDeque<AuditRecord>> {
        self.spool
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqlStore;

    fn record(trx: &str) -> AuditRecord {
        AuditRecord {
            seq: 0,
            trx_id: trx.to_owned(),
            at_ms: 1,
            tenant_id: Some("a".to_owned()),
            access_key: None,
            method: "GET".to_owned(),
            endpoint: "/v1/audit".to_owned(),
            status: 200,
            code: "0".to_owned(),
            score: None,
            decision: None,
            engine: None,
            latency_ms: 1.0,
        }
    }

    /// Makes the database refuse audit records (as a full disk would) or
    /// take them again, from a connection of its own.
    async fn refuse_audit(path: &std::path::Path, refuse: bool) {
        let admin = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let statement = if refuse {
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log
             BEGIN SELECT RAISE(ABORT, 'refused'); END;"
        } else {
            "DROP TRIGGER refuse_audit"
        };
        sqlx::raw_sql(statement).execute(&admin).await.unwrap();
        admin.close().await;
    }

    #[tokio::test]
    async fn refused_records_wait_in_order_and_are_written_later() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let store = Arc::new(SqlStore::sqlite(&path).await.unwrap());
        let trail = AuditTrail::with_capacity(store.clone(), 2);
        refuse_audit(&path, true).await;
        assert_eq!(trail.append(record("t1")).await.unwrap(), Appended::Spooled);
        assert!(
            trail.record(&"a".into(), "t1").await.unwrap().is_some(),
            "spooled records can be looked up"
        );
        assert!(
            trail.record(&"b".into(), "t1").await.unwrap().is_none(),
            "by their own tenant only"
        );
        assert!(trail.flush().await.is_err());
        assert_eq!(trail.append(record("t2")).await.unwrap(), Appended::Spooled);
        assert!(trail.is_full());
        assert!(trail.append(record("t3")).await.is_err());

        refuse_audit(&path, false).await;
        assert!(
            trail.append(record("t4")).await.is_err(),
            "behind the older ones, and there is no room"
        );
        assert_eq!(trail.flush().await.unwrap(), 2);
        assert_eq!(trail.append(record("t5")).await.unwrap(), Appended::Written);
        let page = store.audit_page(&"a".into(), None, 10).await.unwrap();
        let order: Vec<&str> = page.iter().rev().map(|r| r.trx_id.as_str()).collect();
        assert_eq!(order, ["t1", "t2", "t5"]);
    }
}
