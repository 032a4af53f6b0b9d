//! Operator commands: tenants, keys and tenant tokens. Their JSON output
//! is how operators and test tools obtain credentials: keep it stable.

use std::sync::Arc;

use anyhow::{anyhow, Context};
use chrono::{NaiveDate, TimeZone};
use clap::Subcommand;
use ekyc_auth::{signing_secret, Auth};
use ekyc_core::{Secret, Settings};
use ekyc_store::{AccessKey, SqlStore, Store, TenantId};
use ekyc_vault::{generate_master_key, MasterKeySource, MasterKeys, Vault};
use serde_json::json;

#[derive(Subcommand)]
pub enum TenantCommand {
    /// Create a tenant with its first key pair and tenant token.
    Create {
        #[arg(long)]
        name: String,
        /// Last day (Korean time) the tenant token is valid; one year when omitted.
        #[arg(long, value_parser = parse_expiry)]
        expires: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Issue another tenant token (earlier ones stay valid until revoked).
    Token {
        #[arg(long)]
        tenant: String,
        #[arg(long, value_parser = parse_expiry)]
        expires: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Revoke every tenant token issued so far for a tenant.
    RevokeTokens {
        #[arg(long)]
        tenant: String,
    },
    /// Delete a tenant with its keys, users and templates, and destroy
    /// its data key: no copy of its templates can be decrypted again.
    Delete {
        #[arg(long)]
        tenant: String,
    },
    /// List tenants.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum MasterKeyCommand {
    /// Print a new random master key (Base64) for master_key / EKYC_MASTER_KEY.
    Generate,
    /// Re-wrap every tenant's data key under the current master key. Run
    /// it after adding the new key as master_key and the old one to
    /// previous_master_keys; servers keep serving throughout.
    Rewrap,
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Create another key pair for a tenant.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke an access key: its secret and tokens stop working at once.
    Revoke { access_key: String },
}

/// The end of `YYYY-MM-DD` in Korean time (UTC+9), as Unix seconds.
fn parse_expiry(text: &str) -> Result<i64, String> {
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| "expected YYYY-MM-DD".to_owned())?;
    let next_midnight = day
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or_else(|| "date out of range".to_owned())?;
    let kst = chrono::FixedOffset::east_opt(9 * 3600).ok_or_else(|| "bad offset".to_owned())?;
    kst.from_local_datetime(&next_midnight)
        .single()
        .map(|t| t.timestamp() - 1)
        .ok_or_else(|| "date out of range".to_owned())
}

async fn open_store(settings: &Settings) -> anyhow::Result<Arc<SqlStore>> {
    let data_dir = &settings.store.data_dir;
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data dir {}", data_dir.display()))?;
    let store = SqlStore::open(
        settings.store.database_url.as_ref().map(Secret::expose),
        &data_dir.join("ekyc.db"),
    )
    .await
    .context("cannot open the database")?;
    Ok(Arc::new(store))
}

/// The template vault under the configured master keys.
pub(crate) fn open_vault(settings: &Settings, store: Arc<SqlStore>) -> anyhow::Result<Vault> {
    let source = MasterKeySource {
        key: settings
            .store
            .master_key
            .as_ref()
            .map(|key| key.expose().to_owned()),
        key_file: settings.store.master_key_file.clone(),
        previous: settings
            .store
            .previous_master_keys
            .iter()
            .map(|key| key.expose().to_owned())
            .collect(),
    };
    Ok(Vault::new(
        store,
        MasterKeys::load(&source, &settings.store.data_dir)?,
    ))
}

pub async fn master_key(settings: &Settings, command: MasterKeyCommand) -> anyhow::Result<()> {
    match command {
        MasterKeyCommand::Generate => println!("{}", generate_master_key()),
        MasterKeyCommand::Rewrap => {
            let vault = open_vault(settings, open_store(settings).await?)?;
            let report = vault.rewrap().await?;
            println!(
                "re-wrapped {} tenant key(s); {} already under the current master key",
                report.rewrapped, report.already_current
            );
        }
    }
    Ok(())
}

pub(crate) async fn open_auth(settings: &Settings) -> anyhow::Result<(Arc<SqlStore>, Auth)> {
    let store = open_store(settings).await?;
    let secret = signing_secret(
        settings.auth.signing_key.as_ref().map(Secret::expose),
        &settings.store.data_dir,
    )?;
    let auth = Auth::new(store.clone(), &secret, settings.auth.access_token_ttl_secs);
    Ok((store, auth))
}

pub async fn tenant(settings: &Settings, command: TenantCommand) -> anyhow::Result<()> {
    let (_, auth) = open_auth(settings).await?;
    match command {
        TenantCommand::Create {
            name,
            expires,
            json,
        } => {
            let created = auth.create_tenant(&name, expires).await?;
            if json {
                println!(
                    "{}",
                    json!({"tenantId": created.tenant_id.as_str(), "tenantToken": created.tenant_token,
                           "accessKey": created.access_key.as_str(), "secretKey": created.secret_key})
                );
            } else {
                println!("tenant id:    {}", created.tenant_id);
                println!("tenant token: {}", created.tenant_token);
                println!("access key:   {}", created.access_key.as_str());
                println!("secret key:   {}   (shown only now)", created.secret_key);
            }
        }
        TenantCommand::Token {
            tenant,
            expires,
            json,
        } => {
            let token = auth
                .issue_tenant_token(&TenantId::new(tenant.as_str()), expires)
                .await?;
            if json {
                println!("{}", json!({"tenantId": tenant, "tenantToken": token}));
            } else {
                println!("{token}");
            }
        }
        TenantCommand::RevokeTokens { tenant } => {
            auth.revoke_tenant_tokens(&TenantId::new(tenant.as_str()))
                .await?;
            println!("revoked every tenant token of {tenant}");
        }
        TenantCommand::Delete { tenant } => {
            let store = open_store(settings).await?;
            if !store.delete_tenant(&TenantId::new(tenant.as_str())).await? {
                return Err(anyhow!("no tenant {tenant}"));
            }
            println!("deleted tenant {tenant} and destroyed its data key");
        }
        TenantCommand::List { json } => {
            for t in auth.tenants().await? {
                if json {
                    println!(
                        "{}",
                        json!({"tenantId": t.id.as_str(), "name": t.name, "createdAt": t.created_at})
                    );
                } else {
                    println!("{}\t{}", t.id, t.name);
                }
            }
        }
    }
    Ok(())
}

pub async fn key(settings: &Settings, command: KeyCommand) -> anyhow::Result<()> {
    let (_, auth) = open_auth(settings).await?;
    match command {
        KeyCommand::Create { tenant, json } => {
            let key = auth.create_key(&TenantId::new(tenant.as_str())).await?;
            if json {
                println!(
                    "{}",
                    json!({"tenantId": tenant, "accessKey": key.access_key.as_str(), "secretKey": key.secret_key})
                );
            } else {
                println!("access key: {}", key.access_key.as_str());
                println!("secret key: {}   (shown only now)", key.secret_key);
            }
        }
        KeyCommand::Revoke { access_key } => {
            if !auth
                .revoke_key(&AccessKey::new(access_key.as_str()))
                .await?
            {
                return Err(anyhow!("no active access key {access_key}"));
            }
            println!("revoked {access_key}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_end_of_day_in_korea() {
        // 2030-01-01 23:59:59 KST = 2030-01-01 14:59:59 UTC.
        assert_eq!(parse_expiry("2030-01-01").unwrap(), 1_893_509_999);
        assert!(parse_expiry("2030-13-01").is_err());
        assert!(parse_expiry("tomorrow").is_err());
    }
}
