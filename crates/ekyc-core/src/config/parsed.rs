//! Settings that name a choice (an engine, a recogniser) are parsed when
//! the settings load, so that a misspelt value stops the start there,
//! with figment naming the key and the source that set it.

use std::fmt::Display;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// `#[serde(deserialize_with = "parsed::one")]`: a string read through
/// the type's `FromStr`.
pub(crate) fn one<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(D::Error::custom)
}

/// `#[serde(deserialize_with = "parsed::list")]`: a list of strings, each
/// read through the type's `FromStr`.
pub(crate) fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    Vec::<String>::deserialize(deserializer)?
        .iter()
        .map(|text| text.parse().map_err(D::Error::custom))
        .collect()
}
