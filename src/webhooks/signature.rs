//! Webhook signatures, on the scheme of Stripe's `Stripe-Signature`: the
//! header `FoodieFast-Signature: t=TIMESTAMP,v1=HEX` carries the Unix time
//! of the delivery and the hex HMAC-SHA256, under the shared secret, of
//! `TIMESTAMP.BODY` (the timestamp, a full stop, the raw body). A receiver
//! recomputes it over the body as received, compares in constant time,
//! and refuses timestamps too far from its clock (replays).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "foodiefast-signature";

type HmacSha256 = Hmac<Sha256>;

/// The signature header's value for `body` sent at `timestamp` (`None`
/// only if the key is refused, which HMAC never does).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> Option<String> {
    let mut mac = keyed(secret)?;
    mac.update(&signed_payload(timestamp, body));
    Some(format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    ))
}

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not `t=...,v1=...`.
    #[error("the signature header is malformed")]
    Malformed,
    /// The timestamp is further than the tolerance from now.
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    /// No `v1` signature matches the body.
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Checks `header` against `body` at `now` (Unix seconds), accepting
/// timestamps within `tolerance` seconds; answers the signed timestamp.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: i64,
    tolerance: i64,
) -> Result<i64, SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => {
                signatures.push(hex::decode(v).map_err(|_| SignatureError::Malformed)?);
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > tolerance {
        return Err(SignatureError::Stale);
    }
    let matches = signatures.iter().any(|candidate| {
        keyed(secret).is_some_and(|mut check| {
            check.update(&signed_payload(timestamp, body));
            check.verify_slice(candidate).is_ok()
        })
    });
    if matches {
        Ok(timestamp)
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn keyed(secret: &[u8]) -> Option<HmacSha256> {
    <HmacSha256 as Mac>::new_from_slice(secret).ok()
}

fn signed_payload(timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut payload = format!("{timestamp}.").into_bytes();
    payload.extend_from_slice(body);
    payload
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_secret_of_some_length";

    #[test]
    fn a_signature_is_the_hmac_of_timestamp_dot_body() {
        // Computed independently: printf '1700000000.{"a":1}' |
        // openssl dgst -sha256 -hmac whsec_test_secret_of_some_length
        let header = sign(SECRET, 1_700_000_000, br#"{"a":1}"#).unwrap();
        assert_eq!(
            header,
            "t=1700000000,v1=8c5b37d930ed3a1aebe209c9030388ca3037a0ff0745456a7104e77986469fa6"
        );
        assert_eq!(
            verify(SECRET, &header, br#"{"a":1}"#, 1_700_000_100, 300),
            Ok(1_700_000_000)
        );
    }

    #[test]
    fn tampered_stale_foreign_and_malformed_signatures_are_refused() {
        let body = br#"{"id":"41-3"}"#;
        let header = sign(SECRET, 1_000, body).unwrap();
        assert_eq!(
            verify(SECRET, &header, br#"{"id":"41-4"}"#, 1_000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"another secret", &header, body, 1_000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, &header, body, 1_301, 300),
            Err(SignatureError::Stale)
        );
        for bad in ["", "t=1000", "v1=abcd", "t=x,v1=00", "t=1000,v1=zz"] {
            assert!(verify(SECRET, bad, body, 1_000, 300).is_err(), "{bad:?}");
        }
        // Another timestamp in the header does not verify the same MAC.
        let moved = header.replace("t=1000", "t=1001");
        assert_eq!(
            verify(SECRET, &moved, body, 1_000, 300),
            Err(SignatureError::Mismatch)
        );
    }
}
