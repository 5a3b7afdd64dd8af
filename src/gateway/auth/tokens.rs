//! JSON Web Tokens: HS256 only, with `exp`, `aud` and `iss` required and
//! checked. The algorithm is pinned on both sides: a token whose header
//! names another algorithm (including `none`) is refused before its
//! signature is looked at.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::JwtConfig;
use crate::store::Role;

/// The audience and issuer every token names.
pub const AUDIENCE: &str = "foodiefast";
/// The issuer every token names.
pub const ISSUER: &str = "foodiefast";
/// Clock skew tolerated on `exp`, seconds.
const LEEWAY_SECONDS: u64 = 5;

/// Who a valid token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    /// The account.
    pub id: u64,
    /// What it may do.
    pub role: Role,
}

/// The claims of a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The account id, as a string (RFC 7519).
    pub sub: String,
    /// The account's role.
    pub role: String,
    /// Audience.
    pub aud: String,
    /// Issuer.
    pub iss: String,
    /// Issued at, Unix seconds.
    pub iat: u64,
    /// Expires at, Unix seconds.
    pub exp: u64,
}

/// Signs and checks tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// Why a token was refused (the client only hears "invalid token").
#[derive(Debug, thiserror::Error)]
#[error("invalid token")]
pub struct InvalidToken(#[source] Option<jsonwebtoken::errors::Error>);

impl TokenKeys {
    /// Keys for `config`.
    pub fn new(config: &JwtConfig) -> Self {
        let secret = config.secret.expose();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        validation.leeway = LEEWAY_SECONDS;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl: config.ttl,
        }
    }

    /// A token for `principal`, and when it expires (Unix seconds).
    pub fn issue(
        &self,
        principal: Principal,
    ) -> Result<(String, u64), jsonwebtoken::errors::Error> {
        let now = unix_now();
        let claims = Claims {
            sub: principal.id.to_string(),
            role: principal.role.as_str().to_owned(),
            aud: AUDIENCE.to_owned(),
            iss: ISSUER.to_owned(),
            iat: now,
            exp: now.saturating_add(self.ttl.as_secs()),
        };
        self.sign(&claims).map(|t| (t, claims.exp))
    }

    /// Signs arbitrary claims (tests forge expired or foreign tokens with it).
    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// An HMAC-SHA256 of `message` under the signing key (base64url): for
    /// secrets derived from the key, such as delivery PINs.
    pub fn mac(&self, message: &[u8]) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::crypto::sign(message, &self.encoding, Algorithm::HS256)
    }

    /// Who `token` speaks for, if it is valid now.
    pub fn verify(&self, token: &str) -> Result<Principal, InvalidToken> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| InvalidToken(Some(e)))?;
        if data.header.alg != Algorithm::HS256 {
            return Err(InvalidToken(None));
        }
        let id = data.claims.sub.parse().map_err(|_| InvalidToken(None))?;
        let role = Role::parse(&data.claims.role).ok_or(InvalidToken(None))?;
        Ok(Principal { id, role })
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(&JwtConfig {
            secret: Secret::new(secret.as_bytes().to_vec()),
            generated: false,
            ttl: Duration::from_mins(1),
        })
    }

    fn claims(exp: u64) -> Claims {
        Claims {
            sub: "7".into(),
            role: "chef".into(),
            aud: AUDIENCE.into(),
            iss: ISSUER.into(),
            iat: unix_now(),
            exp,
        }
    }

    #[test]
    fn issued_tokens_verify() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let principal = Principal {
            id: 7,
            role: Role::Chef,
        };
        let (token, exp) = k.issue(principal).unwrap();
        assert!(exp > unix_now());
        assert_eq!(k.verify(&token).unwrap(), principal);
    }

    #[test]
    fn foreign_expired_and_mislabelled_tokens_are_refused() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let other = keys("another secret, thirty-two bytes!!");
        let now = unix_now();
        assert!(k.verify(&other.sign(&claims(now + 60)).unwrap()).is_err());
        assert!(k.verify(&k.sign(&claims(now - 3_600)).unwrap()).is_err());
        let mut wrong_aud = claims(now + 60);
        wrong_aud.aud = "elsewhere".into();
        assert!(k.verify(&k.sign(&wrong_aud).unwrap()).is_err());
        let mut wrong_iss = claims(now + 60);
        wrong_iss.iss = "elsewhere".into();
        assert!(k.verify(&k.sign(&wrong_iss).unwrap()).is_err());
        let mut wrong_role = claims(now + 60);
        wrong_role.role = "root".into();
        assert!(k.verify(&k.sign(&wrong_role).unwrap()).is_err());
        assert!(k.verify("not.a.token").is_err());
    }
}
