//! Extractors that turn a bad request into the contract's error codes
//! instead of axum's plain-text rejections: every rejection of a path
//! parameter, query, body, content type or length is answered in the
//! envelope with its trxId. (Only a request hyper cannot parse at all,
//! a malformed request line or header, is answered before any of this
//! runs: a bare 400.)

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use ekyc_auth::{Principal, TenantSlot};
use ekyc_core::ErrorCode;
use serde::de::DeserializeOwned;

use crate::audit;
use crate::error::ApiError;
use crate::AppState;

const TENANT_TOKEN: &str = "x-tenant-token";

/// A JSON body. Malformed JSON, a missing field or a body declared as
/// another type is `40000`; a body over the limit is `41300`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let declared_json = declares_json(request.headers());
        let bytes = read_body(request, state).await?;
        declared_json?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Bodies are JSON by contract: one declared as something else (a form,
/// plain text, multipart) is refused; one that declares no type is read
/// as JSON, as it always was.
fn declares_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(declared) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = declared
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "Content-Type must be application/json",
        ))
    }
}

/// An authenticated call with a JSON body.
///
/// The body is read before an authentication failure is answered: a
/// server that answers 401 and closes with the upload unread makes most
/// synchronous clients fail on a broken pipe instead of reading the 401.
///
/// Every such call carries an image, so it also takes one of the tenant's
/// slots for requests in progress, held until the handler returns.
pub struct AuthedJson<T> {
    pub caller: Principal,
    pub body: T,
    _slot: TenantSlot,
}

impl<T: DeserializeOwned> FromRequest<AppState> for AuthedJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let caller = Caller::from_request_parts(&mut parts, state).await;
        let declared_json = declares_json(&parts.headers);
        let bytes = read_body(Request::from_parts(parts, body), state).await?;
        let Caller(caller) = caller?;
        declared_json?;
        let slot = state.limits.tenant_slot(caller.tenant_id.as_str())?;
        Ok(AuthedJson {
            body: parse_json(&bytes)?,
            caller,
            _slot: slot,
        })
    }
}

async fn read_body<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorCode::TooLarge).with_detail("request body too large")
            } else {
                ApiError::bad_request("request body could not be read")
            }
        })
}

pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request(describe_json_error(&e)))
}

/// serde_json's messages can quote the offending value, which may be a
/// secret or image data: only the field name or the position is kept.
fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let message = e.to_string();
    match e.classify() {
        Category::Data if message.starts_with("missing field") => message
            .split(" at line")
            .next()
            .unwrap_or("missing field")
            .to_owned(),
        Category::Data => format!("invalid value at line {} column {}", e.line(), e.column()),
        Category::Eof => "JSON body is empty or ends early".to_owned(),
        Category::Syntax | Category::Io => {
            format!("malformed JSON at line {} column {}", e.line(), e.column())
        }
    }
}

/// The authenticated caller, from `Authorization: Bearer` and
/// `X-Tenant-Token`, within its access key's request rate.
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let access = bearer_token(&parts.headers);
        let tenant = parts
            .headers
            .get(TENANT_TOKEN)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        let principal = state.auth.authenticate(access, tenant).await?;
        audit::note(|facts| {
            facts.tenant_id = Some(principal.tenant_id.to_string());
            facts.access_key = Some(principal.access_key.as_str().to_owned());
        });
        state.limits.request(principal.access_key.as_str())?;
        Ok(Caller(principal))
    }
}

/// Path parameters; one that is not UTF-8 once percent-decoded (or does
/// not parse) is `40000` like a bad body.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|_| ApiError::bad_request("invalid path parameter"))
    }
}

/// Query parameters; invalid ones are `40000` like a bad body.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(query)| ApiQuery(query))
            .map_err(|_| ApiError::bad_request("invalid query parameters"))
    }
}

/// The client's address: the peer's, or behind a trusted reverse proxy
/// (`trust_forwarded_for`) the last address in `X-Forwarded-For`, the one
/// the proxy itself appended. Without it, every client behind a balancer
/// would share the balancer's token-attempt budget.
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = || {
            let header = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()?;
            header
                .to_str()
                .ok()?
                .rsplit(',')
                .next()?
                .trim()
                .parse()
                .ok()
        };
        let peer = || {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(address)| address.ip())
        };
        let address = if state.trust_forwarded_for {
            forwarded().or_else(peer)
        } else {
            peer()
        };
        Ok(ClientAddress(address))
    }
}

pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_never_quote_values() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Body {
            image: String,
            count: u32,
        }
        let wrong_type =
            serde_json::from_str::<Body>(r#"{"image": "x", "count": "SECRET"}"#).unwrap_err();
        assert!(!describe_json_error(&wrong_type).contains("SECRET"));
        let missing = serde_json::from_str::<Body>(r#"{"count": 1}"#).unwrap_err();
        assert_eq!(describe_json_error(&missing), "missing field `image`");
        let syntax = serde_json::from_str::<Body>("{nope").unwrap_err();
        assert!(describe_json_error(&syntax).starts_with("malformed JSON"));
    }

    #[test]
    fn only_json_bodies_are_read() {
        let mut headers = HeaderMap::new();
        assert!(declares_json(&headers).is_ok(), "no type: read as JSON");
        for json in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/problem+json",
        ] {
            headers.insert(header::CONTENT_TYPE, json.parse().unwrap());
            assert!(declares_json(&headers).is_ok(), "{json}");
        }
        for other in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ] {
            headers.insert(header::CONTENT_TYPE, other.parse().unwrap());
            assert!(declares_json(&headers).is_err(), "{other}");
        }
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "bearer abc".parse().unwrap());
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer_token(&headers), None);
    }
}
