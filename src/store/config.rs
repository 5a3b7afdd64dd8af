//! Where the store lives, read from the environment (twelve-factor).
//!
//! - `DATABASE_URL` unset or empty: an embedded SQLite file, `foodiefast.db`
//!   in the working directory unless `FOODIEFAST_DB_PATH` names another;
//! - `sqlite:PATH`, `sqlite://PATH` (`sqlite:///abs/path` for an absolute
//!   path): that SQLite file, created if missing;
//! - `postgres://...` or `postgresql://...`: a PostgreSQL server.
//!
//! Anything else is refused with an error naming the scheme. The password of
//! a PostgreSQL URL (in its user info or a `password=` parameter) never
//! appears in `Debug`, `Display` or an error message.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;

use super::Backend;

/// The variable naming the database; unset means the embedded SQLite file.
pub const DATABASE_URL: &str = "DATABASE_URL";
/// The variable naming the SQLite file when `DATABASE_URL` is unset.
pub const DB_PATH: &str = "FOODIEFAST_DB_PATH";
/// The SQLite file used when neither variable is set.
pub const DEFAULT_SQLITE_FILE: &str = "foodiefast.db";

/// Which database to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// An embedded SQLite file.
    Sqlite {
        /// The file, created if missing.
        path: PathBuf,
    },
    /// A PostgreSQL server.
    Postgres {
        /// Its connection URL (the password never prints).
        url: PostgresUrl,
    },
}

/// Why the configured database location is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A URL whose scheme names no supported database.
    #[error(
        "DATABASE_URL has the unsupported scheme `{scheme}`: use sqlite:PATH or postgres://..."
    )]
    UnsupportedScheme {
        /// The scheme found (never the rest of the URL, which may hold a password).
        scheme: String,
    },
    /// A value that is not a URL at all.
    #[error("DATABASE_URL has no scheme: use sqlite:PATH or postgres://...")]
    MissingScheme,
    /// A `sqlite:` URL that names no usable file.
    #[error("DATABASE_URL is not a usable SQLite URL: {reason}")]
    InvalidSqliteUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// A `postgres://` URL that cannot be parsed.
    #[error("DATABASE_URL is not a valid PostgreSQL URL: {reason}")]
    InvalidPostgresUrl {
        /// What is wrong with it (never the URL itself).
        reason: String,
    },
    /// An environment variable holding bytes that are not UTF-8.
    #[error("{name} is not valid Unicode")]
    NotUnicode {
        /// The variable.
        name: &'static str,
    },
}

impl StoreConfig {
    /// The configuration of this process's environment (see the module docs).
    pub fn from_env() -> Result<Self, ConfigError> {
        let url = match std::env::var(DATABASE_URL) {
            Ok(url) => Some(url),
            Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(ConfigError::NotUnicode { name: DATABASE_URL });
            }
        };
        let path = std::env::var_os(DB_PATH).map(PathBuf::from);
        Self::from_values(url.as_deref(), path.as_deref())
    }

    /// The configuration given the values of `DATABASE_URL` and
    /// `FOODIEFAST_DB_PATH` (the path only matters when the URL is unset).
    pub fn from_values(
        database_url: Option<&str>,
        db_path: Option<&Path>,
    ) -> Result<Self, ConfigError> {
        let url = database_url.map(str::trim).filter(|u| !u.is_empty());
        let Some(url) = url else {
            let path = db_path
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from(DEFAULT_SQLITE_FILE), Path::to_path_buf);
            return Ok(Self::Sqlite { path });
        };
        match url.split_once(':') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("sqlite") => Ok(Self::Sqlite {
                path: sqlite_path(rest)?,
            }),
            Some((scheme, _))
                if scheme.eq_ignore_ascii_case("postgres")
                    || scheme.eq_ignore_ascii_case("postgresql") =>
            {
                Ok(Self::Postgres { url: url.parse()? })
            }
            Some((scheme, _)) if is_scheme(scheme) => Err(ConfigError::UnsupportedScheme {
                scheme: scheme.to_owned(),
            }),
            _ => Err(ConfigError::MissingScheme),
        }
    }

    /// The backend this configuration opens.
    pub const fn backend(&self) -> Backend {
        match self {
            Self::Sqlite { .. } => Backend::Sqlite,
            Self::Postgres { .. } => Backend::Postgres,
        }
    }
}

impl fmt::Display for StoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite { path } => write!(f, "SQLite file {}", path.display()),
            Self::Postgres { url } => write!(f, "PostgreSQL at {url}"),
        }
    }
}

/// The file of a `sqlite:` URL (after the scheme's colon).
fn sqlite_path(rest: &str) -> Result<PathBuf, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidSqliteUrl { reason };
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    for param in query.split('&').filter(|p| !p.is_empty()) {
        // The store always creates a missing file and opens it read-write.
        if !matches!(param, "mode=rwc" | "mode=rw") {
            let key = param.split_once('=').map_or(param, |(k, _)| k);
            return Err(invalid(format!("the parameter `{key}` is not supported")));
        }
    }
    if path.is_empty() {
        return Err(invalid("it names no file".to_owned()));
    }
    if path == ":memory:" {
        return Err(invalid(
            "an in-memory database would lose every order at exit; name a file".to_owned(),
        ));
    }
    Ok(PathBuf::from(path))
}

/// Whether `s` is a URL scheme (RFC 3986: a letter, then letters, digits, `+-.`).
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// A PostgreSQL connection URL whose password never prints: `Debug` and
/// `Display` show it with the password replaced by `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl {
    url: String,
    shown: String,
}

impl PostgresUrl {
    /// The URL with its password, for connecting. Never log it.
    pub(crate) fn expose_secret(&self) -> &str {
        &self.url
    }
}

impl FromStr for PostgresUrl {
    type Err = ConfigError;

    /// Checks the URL as the driver will read it.
    fn from_str(url: &str) -> Result<Self, ConfigError> {
        PgConnectOptions::from_str(url).map_err(|e| ConfigError::InvalidPostgresUrl {
            reason: e.to_string(),
        })?;
        Ok(Self {
            url: url.to_owned(),
            shown: redact(url),
        })
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PostgresUrl").field(&self.shown).finish()
    }
}

/// `url` with the password of its user info and of any `password=`
/// parameter replaced by `***` (the authority ends at the first `/`, `?` or
/// `#`; the user info at its last `@`, as URL parsers read it).
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<PostgreSQL URL>".to_owned();
    };
    let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let (query, fragment) = query.split_once('#').unwrap_or((query, ""));
            let params: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => p.to_owned(),
                })
                .collect();
            let fragment = if fragment.is_empty() {
                String::new()
            } else {
                format!("#{fragment}")
            };
            format!("{path}?{}{fragment}", params.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: Option<&str>, path: Option<&str>) -> Result<StoreConfig, ConfigError> {
        StoreConfig::from_values(url, path.map(Path::new))
    }

    fn sqlite(path: &str) -> StoreConfig {
        StoreConfig::Sqlite { path: path.into() }
    }

    #[test]
    fn unset_means_the_embedded_sqlite_file() {
        assert_eq!(config(None, None).unwrap(), sqlite("foodiefast.db"));
        assert_eq!(config(Some("  "), None).unwrap(), sqlite("foodiefast.db"));
        assert_eq!(config(None, Some("")).unwrap(), sqlite("foodiefast.db"));
        assert_eq!(
            config(None, Some("/var/lib/ff/orders.db")).unwrap(),
            sqlite("/var/lib/ff/orders.db")
        );
        assert_eq!(config(None, None).unwrap().backend(), Backend::Sqlite);
    }

    #[test]
    fn sqlite_urls_name_a_file() {
        for (url, path) in [
            ("sqlite:orders.db", "orders.db"),
            ("sqlite://orders.db", "orders.db"),
            ("sqlite:///var/lib/ff/orders.db", "/var/lib/ff/orders.db"),
            ("SQLITE://data/ff.db?mode=rwc", "data/ff.db"),
        ] {
            assert_eq!(
                config(Some(url), Some("ignored.db")).unwrap(),
                sqlite(path),
                "{url}"
            );
        }
        for url in [
            "sqlite:",
            "sqlite://",
            "sqlite::memory:",
            "sqlite://x.db?mode=ro",
            "sqlite:x.db?cache=shared",
        ] {
            let err = config(Some(url), None).unwrap_err();
            assert!(
                matches!(err, ConfigError::InvalidSqliteUrl { .. }),
                "{url}: {err:?}"
            );
        }
    }

    #[test]
    fn postgres_urls_open_postgres() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/test",
            "postgresql://ff:pw@db.internal/ff?sslmode=require",
        ] {
            let config = config(Some(url), None).unwrap();
            assert_eq!(config.backend(), Backend::Postgres, "{url}");
            let StoreConfig::Postgres { url: parsed } = config else {
                unreachable!()
            };
            assert_eq!(parsed.expose_secret(), url);
        }
    }

    #[test]
    fn other_schemes_are_refused_by_name() {
        let err = config(Some("mysql://root:hunter2@localhost/ff"), None).unwrap_err();
        assert_eq!(
            err,
            ConfigError::UnsupportedScheme {
                scheme: "mysql".into()
            }
        );
        let message = err.to_string();
        assert!(
            message.contains("`mysql`") && !message.contains("hunter2"),
            "{message}"
        );
        assert_eq!(
            config(Some("foodiefast.db"), None).unwrap_err(),
            ConfigError::MissingScheme
        );
        assert_eq!(
            config(Some("://x"), None).unwrap_err(),
            ConfigError::MissingScheme
        );
    }

    #[test]
    fn passwords_never_print() {
        let url =
            "postgres://ff:s3cret%21@db.internal:5432/ff?sslmode=disable&password=other-s3cret";
        let config = config(Some(url), None).unwrap();
        for shown in [
            format!("{config:?}"),
            format!("{config}"),
            format!("{config:#?}"),
        ] {
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(shown.contains("ff:***@db.internal:5432/ff"), "{shown}");
            assert!(shown.contains("sslmode=disable&password=***"), "{shown}");
        }
        let bad = StoreConfig::from_values(Some("postgres://ff:s3cret@[::1/ff"), None).unwrap_err();
        assert!(
            matches!(bad, ConfigError::InvalidPostgresUrl { .. }),
            "{bad:?}"
        );
        assert!(!format!("{bad} {bad:?}").contains("s3cret"), "{bad}");
    }

    #[test]
    fn redaction_keeps_urls_without_secrets() {
        assert_eq!(
            redact("postgres://postgres@127.0.0.1:5432/postgres"),
            "postgres://postgres@127.0.0.1:5432/postgres"
        );
        assert_eq!(
            redact("postgres://u:p@h/db#frag"),
            "postgres://u:***@h/db#frag"
        );
        assert_eq!(
            redact("postgres://u:p:q@x@h?password=z#f"),
            "postgres://u:***@h?password=***#f"
        );
        assert_eq!(redact("postgres:no-authority"), "<PostgreSQL URL>");
    }
}
