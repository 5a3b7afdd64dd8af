//! The webhook, from the environment: `WEBHOOK_URL` (unset: no webhook),
//! its signing secret `WEBHOOK_SECRET` or `WEBHOOK_SECRET_FILE` (required
//! with a URL; never printed), and `WEBHOOK_RETRY_MAX_SECONDS`, the
//! longest pause between retries (300).

use std::time::Duration;

use foodiefast_actors::outbox::SinkRetry;

use crate::config::Secret;

/// The shortest signing secret accepted.
pub const MIN_SECRET_BYTES: usize = 16;

/// Where order events are posted, and how they are signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// The receiver's URL.
    pub url: String,
    /// The HMAC key (never prints).
    pub secret: Secret,
    /// How failed deliveries are retried.
    pub retry: SinkRetry,
}

/// A webhook variable that is wrong (never showing the secret).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebhookConfigError {
    /// `WEBHOOK_URL` is not an http(s) URL.
    #[error("WEBHOOK_URL must be an http:// or https:// URL")]
    Url,
    /// A URL without a secret, or a secret too short.
    #[error(
        "WEBHOOK_URL needs WEBHOOK_SECRET or WEBHOOK_SECRET_FILE of at least {MIN_SECRET_BYTES} bytes"
    )]
    Secret,
    /// The secret file cannot be read.
    #[error("WEBHOOK_SECRET_FILE {path}: {reason}")]
    SecretFile {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// `WEBHOOK_RETRY_MAX_SECONDS` is not a whole number of seconds, 1 or more.
    #[error("WEBHOOK_RETRY_MAX_SECONDS must be a whole number of seconds, 1 or more")]
    Retry,
}

impl WebhookConfig {
    /// The webhook the variables configure, if any.
    pub fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, WebhookConfigError> {
        let Some(url) = get("WEBHOOK_URL").filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let url = url.trim().to_owned();
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        if !scheme_ok || url.contains(char::is_whitespace) {
            return Err(WebhookConfigError::Url);
        }
        let secret = match (get("WEBHOOK_SECRET"), get("WEBHOOK_SECRET_FILE")) {
            (Some(secret), _) if !secret.trim().is_empty() => secret.trim().as_bytes().to_vec(),
            (_, Some(path)) if !path.trim().is_empty() => std::fs::read(path.trim())
                .map_err(|e| WebhookConfigError::SecretFile {
                    path: path.clone(),
                    reason: e.to_string(),
                })?
                .trim_ascii()
                .to_vec(),
            _ => Vec::new(),
        };
        if secret.len() < MIN_SECRET_BYTES {
            return Err(WebhookConfigError::Secret);
        }
        let max = match get("WEBHOOK_RETRY_MAX_SECONDS").as_deref().map(str::trim) {
            None | Some("") => 300,
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|s| *s >= 1)
                .ok_or(WebhookConfigError::Retry)?,
        };
        let max = Duration::from_secs(max);
        let retry = SinkRetry {
            first: SinkRetry::default().first.min(max),
            max,
        };
        Ok(Some(Self {
            url,
            secret: Secret::new(secret),
            retry,
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::Write;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Option<WebhookConfig>, WebhookConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        WebhookConfig::from_lookup(|k| vars.get(k).cloned())
    }

    #[test]
    fn no_url_no_webhook_and_a_url_needs_a_long_secret() {
        assert_eq!(config(&[]), Ok(None));
        assert_eq!(
            config(&[("WEBHOOK_SECRET", "x".repeat(20).as_str())]),
            Ok(None)
        );
        assert_eq!(
            config(&[("WEBHOOK_URL", "https://hooks.example/ff")]),
            Err(WebhookConfigError::Secret)
        );
        assert_eq!(
            config(&[
                ("WEBHOOK_URL", "https://h.example"),
                ("WEBHOOK_SECRET", "short")
            ]),
            Err(WebhookConfigError::Secret)
        );
        assert_eq!(
            config(&[
                ("WEBHOOK_URL", "ftp://h.example"),
                ("WEBHOOK_SECRET", &"s".repeat(20))
            ]),
            Err(WebhookConfigError::Url)
        );
        assert_eq!(
            config(&[
                ("WEBHOOK_URL", "https://h.example"),
                ("WEBHOOK_SECRET", &"s".repeat(20)),
                ("WEBHOOK_RETRY_MAX_SECONDS", "0"),
            ]),
            Err(WebhookConfigError::Retry)
        );
        let ok = config(&[
            ("WEBHOOK_URL", " https://h.example/in "),
            ("WEBHOOK_SECRET", "whsec_0123456789abcdef"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(ok.url, "https://h.example/in");
        assert_eq!(ok.secret.expose(), b"whsec_0123456789abcdef");
        assert_eq!(ok.retry, SinkRetry::default());
        assert!(!format!("{ok:?}").contains("whsec_0123456789abcdef"));
    }

    #[test]
    fn the_secret_may_come_from_a_file() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "whsec_from_a_file_0123").unwrap();
        let path = file.path().display().to_string();
        let ok = config(&[
            ("WEBHOOK_URL", "http://127.0.0.1:9/in"),
            ("WEBHOOK_SECRET_FILE", &path),
            ("WEBHOOK_RETRY_MAX_SECONDS", "2"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(ok.secret.expose(), b"whsec_from_a_file_0123");
        assert_eq!(ok.retry.max, Duration::from_secs(2));
        let missing = config(&[
            ("WEBHOOK_URL", "http://127.0.0.1:9/in"),
            ("WEBHOOK_SECRET_FILE", "/nonexistent/secret"),
        ]);
        assert!(matches!(
            missing,
            Err(WebhookConfigError::SecretFile { .. })
        ));
    }
}
