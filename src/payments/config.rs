//! Which payment provider to use, from the environment:
//!
//! - `PAYMENTS_URL` unset: the in-process [sandbox](super::sandbox) (the
//!   embedded default; it moves no money);
//! - `PAYMENTS_URL=https://api.stripe.com` (or a compatible server) with
//!   `PAYMENTS_API_KEY` (or `PAYMENTS_API_KEY_FILE`, a file holding it):
//!   the [Stripe-compatible adapter](super::stripe).
//!
//! The key is kept in an [`ApiKey`], which never prints.

use std::sync::Arc;

use super::sandbox::SandboxPayments;
use super::stripe::{ApiKey, RetryPolicy, StripePayments};
use super::{PaymentError, PaymentProvider};

/// The provider configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentsConfig {
    /// The in-process sandbox.
    Sandbox,
    /// A Stripe-compatible API.
    Stripe {
        /// Its base URL.
        url: String,
        /// The secret key.
        key: ApiKey,
    },
}

/// A payments variable that is wrong.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PaymentsConfigError {
    /// `PAYMENTS_URL` is not an http(s) URL.
    #[error("PAYMENTS_URL must be an http:// or https:// URL, not {0:?}")]
    Url(String),
    /// A provider URL without a key.
    #[error("PAYMENTS_URL is set but neither PAYMENTS_API_KEY nor PAYMENTS_API_KEY_FILE is")]
    NoKey,
    /// The key file cannot be read, or is empty.
    #[error("PAYMENTS_API_KEY_FILE {path}: {reason}")]
    KeyFile {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

impl PaymentsConfig {
    /// The configuration given a lookup of variables.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, PaymentsConfigError> {
        let Some(url) = get("PAYMENTS_URL").filter(|u| !u.trim().is_empty()) else {
            return Ok(Self::Sandbox);
        };
        let url = url.trim().to_owned();
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        if !scheme_ok || url.contains(char::is_whitespace) {
            return Err(PaymentsConfigError::Url(url));
        }
        let key = match (get("PAYMENTS_API_KEY"), get("PAYMENTS_API_KEY_FILE")) {
            (Some(key), _) if !key.trim().is_empty() => key.trim().to_owned(),
            (_, Some(path)) => {
                let key =
                    std::fs::read_to_string(&path).map_err(|e| PaymentsConfigError::KeyFile {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?;
                let key = key.trim().to_owned();
                if key.is_empty() {
                    return Err(PaymentsConfigError::KeyFile {
                        path,
                        reason: "it is empty".to_owned(),
                    });
                }
                key
            }
            _ => return Err(PaymentsConfigError::NoKey),
        };
        Ok(Self::Stripe {
            url,
            key: ApiKey::new(key),
        })
    }

    /// The provider this configuration names.
    pub fn provider(&self) -> Result<Arc<dyn PaymentProvider>, PaymentError> {
        Ok(match self {
            Self::Sandbox => Arc::new(SandboxPayments::default()),
            Self::Stripe { url, key } => Arc::new(StripePayments::new(
                url,
                key.clone(),
                RetryPolicy::default(),
            )?),
        })
    }

    /// How logs name it (never the key).
    pub fn describe(&self) -> String {
        match self {
            Self::Sandbox => "sandbox (no money moves)".to_owned(),
            Self::Stripe { url, .. } => format!("Stripe-compatible API at {url}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<PaymentsConfig, PaymentsConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        PaymentsConfig::from_lookup(|k| vars.get(k).cloned())
    }

    #[test]
    fn the_sandbox_is_the_default() {
        assert_eq!(config(&[]), Ok(PaymentsConfig::Sandbox));
        assert_eq!(
            config(&[("PAYMENTS_URL", " ")]),
            Ok(PaymentsConfig::Sandbox)
        );
    }

    #[test]
    fn a_provider_needs_an_http_url_and_a_key() {
        assert_eq!(
            config(&[("PAYMENTS_URL", "ftp://pay"), ("PAYMENTS_API_KEY", "sk")]),
            Err(PaymentsConfigError::Url("ftp://pay".into()))
        );
        assert_eq!(
            config(&[("PAYMENTS_URL", "https://api.stripe.com")]),
            Err(PaymentsConfigError::NoKey)
        );
        let ok = config(&[
            ("PAYMENTS_URL", "https://api.stripe.com"),
            ("PAYMENTS_API_KEY", "sk_test_123"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ok,
            PaymentsConfig::Stripe {
                url: "https://api.stripe.com".into(),
                key: ApiKey::new("sk_test_123".into()),
            }
        );
    }

    #[test]
    fn the_key_can_come_from_a_file_and_never_prints() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("key");
        std::fs::write(&path, "sk_live_secret\n").unwrap_or_else(|e| panic!("{e}"));
        let path = path.display().to_string();
        let ok = config(&[
            ("PAYMENTS_URL", "https://api.stripe.com"),
            ("PAYMENTS_API_KEY_FILE", &path),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let printed = format!("{ok:?} {}", ok.describe());
        assert!(!printed.contains("sk_live_secret"), "{printed}");
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "  \n").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            config(&[
                ("PAYMENTS_URL", "https://api.stripe.com"),
                ("PAYMENTS_API_KEY_FILE", &empty.display().to_string()),
            ]),
            Err(PaymentsConfigError::KeyFile { .. })
        ));
    }
}
