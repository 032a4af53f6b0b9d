//! One implementation of the store for SQLite and PostgreSQL, through
//! sqlx's runtime-chosen driver: the same statements, the same
//! migrations (in each dialect), the same tests.
//!
//! The statements live in a module per kind of record (tenants and their
//! keys, enrolments, rows of earlier versions, verify attempts, audit);
//! this one maps the [`Store`] trait onto them.

mod attempts;
mod audit;
mod connect;
mod enrolment;
mod legacy;
mod rows;
mod tenants;

use async_trait::async_trait;
use sqlx::AnyPool;

#[cfg(test)]
use connect::{number_placeholders, SessionSql};

use crate::{
    AccessKey, AccessKeyRecord, AuditRecord, EnrolledUser, FaceTemplate, GalleryRow, LegacyUser,
    Store, StoreError, Tenant, TenantId, TenantKey, UnsealedTemplate, UserCode, UserKey,
    VerifyAttempts, WrappedKey,
};

/// The [`Store`] on SQLite (the embedded default) or PostgreSQL (several
/// nodes on one database), with one set of statements for both.
#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query(&self.sql("SELECT 1"))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        tenants::create_tenant(self, tenant).await
    }

    async fn tenant(&self, id: &TenantId) -> Result<Option<Tenant>, StoreError> {
        tenants::tenant(self, id).await
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        tenants::tenants(self).await
    }

    async fn bump_token_epoch(&self, tenant_id: &TenantId) -> Result<i64, StoreError> {
        tenants::bump_token_epoch(self, tenant_id).await
    }

    async fn delete_tenant(&self, tenant_id: &TenantId) -> Result<bool, StoreError> {
        tenants::delete_tenant(self, tenant_id).await
    }

    async fn tenant_key(&self, tenant_id: &TenantId) -> Result<Option<WrappedKey>, StoreError> {
        tenants::tenant_key(self, tenant_id).await
    }

    async fn insert_tenant_key(
        &self,
        tenant_id: &TenantId,
        key: &WrappedKey,
        at: i64,
    ) -> Result<bool, StoreError> {
        tenants::insert_tenant_key(self, tenant_id, key, at).await
    }

    async fn tenant_keys(&self) -> Result<Vec<TenantKey>, StoreError> {
        tenants::tenant_keys(self).await
    }

    async fn rewrap_tenant_key(
        &self,
        tenant_id: &TenantId,
        previous_kek_id: &str,
        key: &WrappedKey,
    ) -> Result<bool, StoreError> {
        tenants::rewrap_tenant_key(self, tenant_id, previous_kek_id, key).await
    }

    async fn create_key(&self, key: &AccessKeyRecord) -> Result<(), StoreError> {
        tenants::create_key(self, key).await
    }

    async fn key(&self, access_key: &AccessKey) -> Result<Option<AccessKeyRecord>, StoreError> {
        tenants::key(self, access_key).await
    }

    async fn revoke_key(&self, access_key: &AccessKey, at: i64) -> Result<bool, StoreError> {
        tenants::revoke_key(self, access_key, at).await
    }

    async fn enrol(
        &self,
        tenant_id: &TenantId,
        user: &EnrolledUser<UserKey>,
        sealed_user_code: &[u8],
        at: i64,
    ) -> Result<(), StoreError> {
        enrolment::enrol(self, tenant_id, user, sealed_user_code, at).await
    }

    async fn enrolled(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
    ) -> Result<Option<EnrolledUser<UserKey>>, StoreError> {
        enrolment::enrolled(self, tenant_id, user_key).await
    }

    async fn delete_user(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
    ) -> Result<bool, StoreError> {
        enrolment::delete_user(self, tenant_id, user_key).await
    }

    async fn enrolment_epoch(&self, tenant_id: &TenantId) -> Result<i64, StoreError> {
        enrolment::enrolment_epoch(self, tenant_id).await
    }

    async fn tenant_templates(
        &self,
        tenant_id: &TenantId,
        engine: &str,
        model_version: &str,
    ) -> Result<Vec<GalleryRow>, StoreError> {
        enrolment::tenant_templates(self, tenant_id, engine, model_version).await
    }

    async fn unsealed_templates(&self) -> Result<Vec<UnsealedTemplate>, StoreError> {
        legacy::unsealed_templates(self).await
    }

    async fn seal_template(
        &self,
        tenant_id: &TenantId,
        user_code: &UserCode,
        sealed: &FaceTemplate,
    ) -> Result<(), StoreError> {
        legacy::seal_template(self, tenant_id, user_code, sealed).await
    }

    async fn legacy_user_codes(&self) -> Result<Vec<LegacyUser>, StoreError> {
        legacy::legacy_user_codes(self).await
    }

    async fn seal_user_code(
        &self,
        tenant_id: &TenantId,
        plain_user_code: &UserCode,
        user_key: &UserKey,
        sealed_user_code: &[u8],
    ) -> Result<(), StoreError> {
        legacy::seal_user_code(self, tenant_id, plain_user_code, user_key, sealed_user_code).await
    }

    async fn erase_traces(&self) {
        self.erase_deleted(false).await;
    }

    async fn verify_attempts(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
    ) -> Result<VerifyAttempts, StoreError> {
        attempts::verify_attempts(self, tenant_id, user_key).await
    }

    async fn reserve_verify_attempt(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
        limit: u32,
        now: i64,
        stale_before: i64,
    ) -> Result<Option<VerifyAttempts>, StoreError> {
        attempts::reserve_verify_attempt(self, tenant_id, user_key, limit, now, stale_before).await
    }

    async fn release_verify_attempt(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
    ) -> Result<(), StoreError> {
        attempts::release_verify_attempt(self, tenant_id, user_key).await
    }

    async fn count_verify_failure(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
    ) -> Result<VerifyAttempts, StoreError> {
        attempts::count_verify_failure(self, tenant_id, user_key).await
    }

    async fn lock_verify(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
        seen_lockouts: u32,
        locked_until: i64,
    ) -> Result<bool, StoreError> {
        attempts::lock_verify(self, tenant_id, user_key, seen_lockouts, locked_until).await
    }

    async fn clear_verify_attempts(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
    ) -> Result<(), StoreError> {
        attempts::clear_verify_attempts(self, tenant_id, user_key).await
    }

    async fn append_audit(&self, record: &AuditRecord) -> Result<(), StoreError> {
        audit::append_audit(self, record).await
    }

    async fn audit_record(
        &self,
        tenant_id: &TenantId,
        trx_id: &str,
    ) -> Result<Option<AuditRecord>, StoreError> {
        audit::audit_record(self, tenant_id, trx_id).await
    }

    async fn audit_page(
        &self,
        tenant_id: &TenantId,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        audit::audit_page(self, tenant_id, before_seq, limit).await
    }

    async fn purge_audit(&self, before_ms: i64) -> Result<u64, StoreError> {
        audit::purge_audit(self, before_ms).await
    }
}

#[cfg(test)]
mod tests;
