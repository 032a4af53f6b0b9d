//! The two JWTs: access tokens (one key, short-lived) and tenant tokens
//! (one tenant, its contract period). A `typ` claim keeps one from being
//! used as the other.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Tolerated clock difference between nodes, in seconds.
const CLOCK_SKEW_SECS: u64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TokenKind {
    Access,
    Tenant,
}

/// Claims of both token kinds; `sub` (the access key) only on access
/// tokens, `ep` (the tenant's token epoch) only on tenant tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Claims {
    pub typ: TokenKind,
    pub tid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ep: Option<i64>,
    pub iat: i64,
    pub exp: i64,
}

/// Why a token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenRejection {
    Expired,
    Invalid,
}

/// Signs and checks tokens with the server secret, HS256 only.
pub(crate) struct TokenSigner {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenSigner {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = CLOCK_SKEW_SECS;
        validation.set_required_spec_claims(&["exp"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// Checks signature, algorithm, expiry and kind, in that order: an
    /// expired token is only reported as expired once it is proven ours.
    pub fn verify(&self, token: &str, kind: TokenKind) -> Result<Claims, TokenRejection> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenRejection::Expired,
                _ => TokenRejection::Invalid,
            })?
            .claims;
        if claims.typ != kind {
            return Err(TokenRejection::Invalid);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    fn claims(typ: TokenKind, exp: i64) -> Claims {
        Claims {
            typ,
            tid: "tn_1".into(),
            sub: Some("AK1".into()),
            ep: None,
            iat: 0,
            exp,
        }
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    #[test]
    fn round_trip_and_kind_check() {
        let signer = TokenSigner::new(&[1u8; 32]);
        let token = signer.sign(&claims(TokenKind::Access, now() + 60)).unwrap();
        assert_eq!(
            signer.verify(&token, TokenKind::Access).unwrap().tid,
            "tn_1"
        );
        assert_eq!(
            signer.verify(&token, TokenKind::Tenant),
            Err(TokenRejection::Invalid)
        );
    }

    #[test]
    fn expired_only_when_signature_holds() {
        let signer = TokenSigner::new(&[1u8; 32]);
        let expired = signer.sign(&claims(TokenKind::Access, now() - 60)).unwrap();
        assert_eq!(
            signer.verify(&expired, TokenKind::Access),
            Err(TokenRejection::Expired)
        );
        let foreign = TokenSigner::new(&[2u8; 32])
            .sign(&claims(TokenKind::Access, now() - 60))
            .unwrap();
        assert_eq!(
            signer.verify(&foreign, TokenKind::Access),
            Err(TokenRejection::Invalid)
        );
    }

    #[test]
    fn unsigned_and_tampered_tokens_are_invalid() {
        let signer = TokenSigner::new(&[1u8; 32]);
        let token = signer.sign(&claims(TokenKind::Access, now() + 60)).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{none_header}.{}.", parts[1]);
        assert_eq!(
            signer.verify(&unsigned, TokenKind::Access),
            Err(TokenRejection::Invalid)
        );
        let forged_payload = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&Claims {
                tid: "tn_other".into(),
                ..claims(TokenKind::Access, now() + 60)
            })
            .unwrap(),
        );
        let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
        assert_eq!(
            signer.verify(&tampered, TokenKind::Access),
            Err(TokenRejection::Invalid)
        );
        assert_eq!(
            signer.verify("garbage", TokenKind::Access),
            Err(TokenRejection::Invalid)
        );
    }

    #[test]
    fn other_algorithms_are_refused_even_with_our_secret() {
        let secret = [1u8; 32];
        let signer = TokenSigner::new(&secret);
        for algorithm in [Algorithm::HS384, Algorithm::HS512] {
            let token = encode(
                &Header::new(algorithm),
                &claims(TokenKind::Access, now() + 60),
                &EncodingKey::from_secret(&secret),
            )
            .unwrap();
            assert_eq!(
                signer.verify(&token, TokenKind::Access),
                Err(TokenRejection::Invalid)
            );
        }
    }

    #[test]
    fn clock_skew_tolerance_is_a_few_seconds() {
        let signer = TokenSigner::new(&[1u8; 32]);
        let just_expired = signer.sign(&claims(TokenKind::Access, now() - 2)).unwrap();
        assert!(signer.verify(&just_expired, TokenKind::Access).is_ok());
        let long_expired = signer
            .sign(&claims(
                TokenKind::Access,
                now() - CLOCK_SKEW_SECS as i64 - 2,
            ))
            .unwrap();
        assert_eq!(
            signer.verify(&long_expired, TokenKind::Access),
            Err(TokenRejection::Expired)
        );
    }
}
