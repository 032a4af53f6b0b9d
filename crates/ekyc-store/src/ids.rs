//! The ids records are found by. All of them are text to the database,
//! and a call such as `delete_user(tenant, user)` takes two of them side
//! by side: each is its own type so that the compiler, not a reviewer,
//! notices when they are swapped, or when a plain user code goes where
//! only its keyed hash may.
//!
//! User codes, user keys and access keys identify people or credentials:
//! their `Debug` output is redacted, so that no `{:?}` of a request or a
//! record prints one into a log, and they have no `Display`: whoever needs
//! the text asks for it with `as_str()`.

use std::fmt;

/// What every id type shares: built from and read back as text.
macro_rules! text_id {
    ($name:ident) => {
        impl $name {
            /// The id from its text, as it is stored.
            pub fn new(text: impl Into<String>) -> Self {
                Self(text.into())
            }

            /// The text, as it is stored.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, as it is stored, given up.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self(text.to_owned())
            }
        }
    };
}

/// Writes `Name(<redacted>)`: the type shows in a `{:?}`, the value never.
macro_rules! redacted_debug {
    ($name:ident) => {
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

/// A tenant's `tn_…` id. Not secret: it is logged and shown to operators.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(String);
text_id!(TenantId);

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The caller's code for one of its users, in plain: often a phone
/// number or an e-mail address, so personal information. The store only
/// sees it in rows written before codes were hashed; see [`UserKey`].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserCode(String);
text_id!(UserCode);
redacted_debug!(UserCode);

/// The keyed hash of a [`UserCode`] that the vault hands the store to
/// find a user's rows by: stable within a tenant, useless without the
/// tenant's data key.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserKey(String);
text_id!(UserKey);
redacted_debug!(UserKey);

/// The public `AK…` half of a key pair. Public only in the sense that it
/// is not the secret: with a leaked secret it is all an attacker lacks.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccessKey(String);
text_id!(AccessKey);
redacted_debug!(AccessKey);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_and_secret_ids_never_show_in_debug_output() {
        let code = format!("{:?}", UserCode::new("kim@bank.kr"));
        assert_eq!(code, "UserCode(<redacted>)");
        assert!(!format!("{:?}", UserKey::new("9f86d081884c")).contains("9f86d081884c"));
        assert!(!format!("{:?}", AccessKey::new("AK0123456789")).contains("AK0123456789"));
        assert!(!format!("{:?}", Some(UserCode::new("01012345678"))).contains("0101"));
    }

    #[test]
    fn ids_keep_their_text() {
        assert_eq!(TenantId::new("tn_1").to_string(), "tn_1");
        assert_eq!(format!("{:?}", TenantId::new("tn_1")), "TenantId(\"tn_1\")");
        assert_eq!(UserCode::from("u1").as_str(), "u1");
        assert_eq!(AccessKey::from("AK1".to_owned()).into_string(), "AK1");
    }
}
