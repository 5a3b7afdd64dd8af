//! `foodiefast serve`'s configuration, read once from the environment
//! (twelve-factor) into typed values; secrets never print.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `PORT` | TCP port to listen on (0: any free port) | 8080 |
//! | `BIND_ADDR` | address to listen on | `0.0.0.0` |
//! | `DATABASE_URL`, `FOODIEFAST_DB_PATH` | the store (see [`crate::store::config`]) | `foodiefast.db` |
//! | `JWT_SECRET` / `JWT_SECRET_FILE` | HS256 key (32 bytes or more), or a file holding it | random per process with the embedded store; required with PostgreSQL |
//! | `JWT_TTL_SECONDS` | token lifetime | 3600 |
//! | `ALLOWED_ORIGINS` | comma-separated origins allowed for CORS and WebSocket upgrades | `http://localhost:8080` |
//! | `LOG_FORMAT` | `json` or `text` | `text` |
//! | `RUST_LOG` | log filter (tracing-subscriber syntax) | `info` |
//! | `CITY_CENTRE` | `lat,lng` of the city: the origin of the engine's planar frame | `52.52,13.405` |
//! | `CITY_UTC_OFFSET_MINUTES` | the city's offset from UTC, for opening hours | 0 |
//! | `WS_MAX_MESSAGE_BYTES` | largest WebSocket message accepted (larger: close 1009) | 4096 |
//! | `WS_HEARTBEAT_SECONDS` | ping period; a peer silent for two periods is closed | 20 |
//! | `WS_MESSAGES_PER_SECOND` | messages a WebSocket client may send per second (burst: twice that) | 10 |
//! | `SHUTDOWN_GRACE_SECONDS` | how long shutdown waits for connections to finish | 20 |
//! | `DISPATCH_PERIOD_SECONDS` | period of each zone's matching round | 10 |
//! | `DISPATCH_EARLY_ROUND_MS` | how long after a new order asks for an early round it runs, so that orders arriving together share it (0 to 10000) | 50 |
//! | `DISPATCH_COMMIT_HORIZON_SECONDS` | offer an order only once its courier must set off within this | 300 |
//! | `OFFER_TIMEOUT_SECONDS` | how long a courier has to answer an offer | 30 |
//! | `KITCHEN_ANSWER_SECONDS` | how long a chef has to accept or reject a new order before it is rejected for want of an answer | 180 |
//! | `PAYMENTS_URL`, `PAYMENTS_API_KEY` / `PAYMENTS_API_KEY_FILE` | a Stripe-compatible provider and its secret key (see [`crate::payments::config`]) | the in-process sandbox |
//! | `PAYMENTS_CURRENCY` | ISO 4217 code of every order's amount | `eur` |
//! | `COURIER_SEARCH_TIMEOUT_SECONDS` | an order accepted by its kitchen and still without a courier this long after is cancelled and its hold voided | 2700 |
//! | `COURIER_PAY_PER_ORDER_CENTS`, `COURIER_GUARANTEE_PER_HOUR_CENTS` | a courier's fee per delivered order; its guaranteed pay per hour online (see [`crate::earnings`]) | 1000, 1500 |
//! | `PLATFORM_COMMISSION_BPS` | the platform's share of a kitchen's captured payments, basis points (0 to 10000) | 1500 |
//! | `WEBHOOK_URL`, `WEBHOOK_SECRET` / `WEBHOOK_SECRET_FILE`, `WEBHOOK_RETRY_MAX_SECONDS` | where every order event is posted, signed with the secret (see [`crate::webhooks`]); longest pause between retries | none; 300 |

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use foodiefast_actors::EngineConfig;
use foodiefast_geo::{LatLng, Seconds};

use crate::cluster::config::{ClusterConfig, ClusterConfigError};
use crate::earnings::PayRates;
use crate::payments::PaymentsConfig;
use crate::payments::config::PaymentsConfigError;
use crate::store::{ConfigError, StoreConfig};
use crate::webhooks::WebhookConfig;
use crate::webhooks::config::WebhookConfigError;

/// The shortest HS256 secret accepted: the hash's output size.
pub const MIN_SECRET_BYTES: usize = 32;

/// Everything `foodiefast serve` reads from the environment.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on.
    pub bind: IpAddr,
    /// Port to listen on (0: any free port).
    pub port: u16,
    /// The store.
    pub store: StoreConfig,
    /// Token signing and checking.
    pub jwt: JwtConfig,
    /// Origins allowed for CORS and WebSocket upgrades.
    pub allowed_origins: Vec<String>,
    /// How logs are written.
    pub log_format: LogFormat,
    /// The city's centre: the origin of the engine's planar frame.
    pub city_centre: LatLng,
    /// The city's offset from UTC, minutes, for opening hours.
    pub utc_offset_minutes: i32,
    /// WebSocket limits.
    pub ws: WsLimits,
    /// How long shutdown waits for connections to finish.
    pub shutdown_grace: Duration,
    /// When the dispatcher matches and offers.
    pub dispatch: DispatchTiming,
    /// How long a chef has to answer a new order before it is rejected.
    pub kitchen_answer: Seconds,
    /// Which payment provider (the secret key never prints).
    pub payments: PaymentsConfig,
    /// Every order's currency, ISO 4217, lower case.
    pub currency: String,
    /// How long an accepted order may wait for a courier.
    pub courier_search_timeout: Duration,
    /// Couriers' and kitchens' pay.
    pub pay: PayRates,
    /// Where order events are posted, if anywhere (the secret never prints).
    pub webhook: Option<WebhookConfig>,
    /// The cluster this process joins (`CLUSTER_PORT` set), if any.
    pub cluster: Option<ClusterConfig>,
}

/// When the dispatcher matches orders to couriers and how long offers last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DispatchTiming {
    /// Period of each zone's matching round.
    pub period: Duration,
    /// How long after a new order asks for an early round it runs: orders
    /// arriving within it share that round.
    pub early_round_delay: Duration,
    /// An order is offered once its courier must set off within this.
    pub commit_horizon: Seconds,
    /// How long a courier has to answer an offer.
    pub offer_timeout: Seconds,
}

impl Default for DispatchTiming {
    /// The engine's own round timing; the offer terms of `serve`.
    fn default() -> Self {
        let engine = EngineConfig::default();
        Self {
            period: engine.dispatch_period,
            early_round_delay: engine.early_round_delay,
            commit_horizon: Seconds::from_minutes(5),
            offer_timeout: Seconds(30),
        }
    }
}

/// How tokens are signed and checked.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// The HS256 key.
    pub secret: Secret,
    /// Whether the key was made up for this process (tokens die with it).
    pub generated: bool,
    /// How long a token lives.
    pub ttl: Duration,
}

/// A secret key whose bytes never print.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps `bytes`.
    pub const fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The key, for signing and checking. Never log it.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes>)", self.0.len())
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line (production).
    Json,
    /// Human-readable lines (development).
    Text,
}

/// Limits on each WebSocket connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsLimits {
    /// Largest message (and frame) accepted; larger closes with 1009.
    pub max_message_bytes: usize,
    /// Ping period; a peer silent for two periods is closed.
    pub heartbeat: Duration,
    /// Messages a client may send per second (burst: twice that).
    pub messages_per_second: u32,
}

impl Default for WsLimits {
    fn default() -> Self {
        Self {
            max_message_bytes: 4096,
            heartbeat: Duration::from_secs(20),
            messages_per_second: 10,
        }
    }
}

/// Why the environment does not configure a runnable service.
#[derive(Debug, thiserror::Error)]
pub enum ServeConfigError {
    /// The store's variables are wrong.
    #[error(transparent)]
    Store(#[from] ConfigError),
    /// A variable holds a value out of its range or format.
    #[error("{name} is invalid: {reason}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// What is wrong (never the value of a secret).
        reason: String,
    },
    /// The payment provider's variables are wrong.
    #[error(transparent)]
    Payments(#[from] PaymentsConfigError),
    /// The webhook's variables are wrong.
    #[error(transparent)]
    Webhook(#[from] WebhookConfigError),
    /// The cluster's variables are wrong.
    #[error(transparent)]
    Cluster(#[from] ClusterConfigError),
    /// The secret file could not be read.
    #[error("cannot read JWT_SECRET_FILE {path}")]
    SecretFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A shared database needs a shared secret: tokens must verify on every pod.
    #[error("JWT_SECRET or JWT_SECRET_FILE must be set when DATABASE_URL names PostgreSQL")]
    SecretRequired,
}

impl ServeConfig {
    /// The configuration of this process's environment.
    pub fn from_env() -> Result<Self, ServeConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The configuration given a lookup of variables (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ServeConfigError> {
        let store = StoreConfig::from_values(
            get("DATABASE_URL").as_deref(),
            get("FOODIEFAST_DB_PATH").map(PathBuf::from).as_deref(),
        )?;
        let port: u16 = parse_or(&get, "PORT", 8080)?;
        Ok(Self {
            bind: parse_or(&get, "BIND_ADDR", IpAddr::from([0, 0, 0, 0]))?,
            port,
            jwt: jwt_config(&get, &store)?,
            store,
            allowed_origins: get("ALLOWED_ORIGINS").map_or_else(
                || vec![format!("http://localhost:{port}")],
                |list| {
                    list.split(',')
                        .map(str::trim)
                        .filter(|o| !o.is_empty())
                        .map(str::to_owned)
                        .collect()
                },
            ),
            log_format: match get("LOG_FORMAT").as_deref().map(str::trim) {
                None | Some("" | "text") => LogFormat::Text,
                Some("json") => LogFormat::Json,
                Some(_) => return Err(invalid("LOG_FORMAT", "must be `json` or `text`")),
            },
            city_centre: city_centre(get("CITY_CENTRE"))?,
            utc_offset_minutes: {
                let offset: i32 = parse_or(&get, "CITY_UTC_OFFSET_MINUTES", 0)?;
                if offset.abs() > 14 * 60 {
                    return Err(invalid("CITY_UTC_OFFSET_MINUTES", "must be within ±840"));
                }
                offset
            },
            ws: WsLimits {
                max_message_bytes: positive(&get, "WS_MAX_MESSAGE_BYTES", 4096)?,
                heartbeat: Duration::from_secs(positive(&get, "WS_HEARTBEAT_SECONDS", 20)?),
                messages_per_second: positive(&get, "WS_MESSAGES_PER_SECOND", 10)?,
            },
            shutdown_grace: Duration::from_secs(parse_or(&get, "SHUTDOWN_GRACE_SECONDS", 20)?),
            dispatch: DispatchTiming {
                period: Duration::from_secs(positive(
                    &get,
                    "DISPATCH_PERIOD_SECONDS",
                    DispatchTiming::default().period.as_secs(),
                )?),
                early_round_delay: early_round_delay(&get)?,
                commit_horizon: Seconds(positive(&get, "DISPATCH_COMMIT_HORIZON_SECONDS", 300)?),
                offer_timeout: Seconds(positive(&get, "OFFER_TIMEOUT_SECONDS", 30)?),
            },
            kitchen_answer: Seconds(positive(&get, "KITCHEN_ANSWER_SECONDS", 180)?),
            payments: PaymentsConfig::from_lookup(&get)?,
            currency: currency(get("PAYMENTS_CURRENCY"))?,
            courier_search_timeout: Duration::from_secs(positive(
                &get,
                "COURIER_SEARCH_TIMEOUT_SECONDS",
                2700,
            )?),
            pay: pay_rates(&get)?,
            webhook: WebhookConfig::from_lookup(&get)?,
            cluster: ClusterConfig::from_lookup(&get)?,
        })
    }
}

fn pay_rates(get: &impl Fn(&str) -> Option<String>) -> Result<PayRates, ServeConfigError> {
    let defaults = PayRates::default();
    let cents = |name: &'static str, default: i64| -> Result<i64, ServeConfigError> {
        let value = parse_or(get, name, default)?;
        if (0..=100_000_000).contains(&value) {
            Ok(value)
        } else {
            Err(invalid(name, "must be 0 to 100000000 cents"))
        }
    };
    let commission_bps: i64 = parse_or(get, "PLATFORM_COMMISSION_BPS", defaults.commission_bps)?;
    if !(0..=10_000).contains(&commission_bps) {
        return Err(invalid(
            "PLATFORM_COMMISSION_BPS",
            "must be 0 to 10000 basis points",
        ));
    }
    Ok(PayRates {
        per_order_cents: cents("COURIER_PAY_PER_ORDER_CENTS", defaults.per_order_cents)?,
        guarantee_per_hour_cents: cents(
            "COURIER_GUARANTEE_PER_HOUR_CENTS",
            defaults.guarantee_per_hour_cents,
        )?,
        commission_bps,
    })
}

fn invalid(name: &'static str, reason: impl Into<String>) -> ServeConfigError {
    ServeConfigError::Invalid {
        name,
        reason: reason.into(),
    }
}

/// `DISPATCH_EARLY_ROUND_MS`: 0 to 10 s, the engine's own delay when unset.
fn early_round_delay(get: &impl Fn(&str) -> Option<String>) -> Result<Duration, ServeConfigError> {
    const NAME: &str = "DISPATCH_EARLY_ROUND_MS";
    let default = DispatchTiming::default().early_round_delay;
    let millis: u64 = parse_or(
        get,
        NAME,
        u64::try_from(default.as_millis()).unwrap_or(u64::MAX),
    )?;
    if millis > 10_000 {
        return Err(invalid(NAME, "must be 0 to 10000"));
    }
    Ok(Duration::from_millis(millis))
}

fn parse_or<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ServeConfigError>
where
    T::Err: fmt::Display,
{
    match get(name).as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|e: T::Err| invalid(name, e.to_string())),
    }
}

fn positive<T>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ServeConfigError>
where
    T: std::str::FromStr + PartialOrd + From<u8>,
    T::Err: fmt::Display,
{
    let value = parse_or(get, name, default)?;
    if value < T::from(1) {
        return Err(invalid(name, "must be 1 or more"));
    }
    Ok(value)
}

fn currency(text: Option<String>) -> Result<String, ServeConfigError> {
    let code = text.map_or_else(|| "eur".to_owned(), |t| t.trim().to_ascii_lowercase());
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(code)
    } else {
        Err(invalid(
            "PAYMENTS_CURRENCY",
            "must be a three-letter ISO 4217 code",
        ))
    }
}

fn city_centre(text: Option<String>) -> Result<LatLng, ServeConfigError> {
    let text = text.unwrap_or_else(|| "52.52,13.405".to_owned());
    let err = |reason: String| invalid("CITY_CENTRE", reason);
    let (lat, lng) = text
        .split_once(',')
        .ok_or_else(|| err("must be `lat,lng`".to_owned()))?;
    let lat: f64 = lat
        .trim()
        .parse()
        .map_err(|_| err("bad latitude".to_owned()))?;
    let lng: f64 = lng
        .trim()
        .parse()
        .map_err(|_| err("bad longitude".to_owned()))?;
    LatLng::new(lat, lng).map_err(|e| err(e.to_string()))
}

fn jwt_config(
    get: &impl Fn(&str) -> Option<String>,
    store: &StoreConfig,
) -> Result<JwtConfig, ServeConfigError> {
    let ttl = Duration::from_secs(positive(get, "JWT_TTL_SECONDS", 3600)?);
    let given = match (get("JWT_SECRET"), get("JWT_SECRET_FILE")) {
        (Some(secret), _) if !secret.is_empty() => Some(secret.into_bytes()),
        (_, Some(path)) if !path.is_empty() => {
            let path = PathBuf::from(path);
            let bytes = std::fs::read(&path)
                .map_err(|source| ServeConfigError::SecretFile { path, source })?;
            Some(bytes.trim_ascii().to_vec())
        }
        _ => None,
    };
    match given {
        Some(bytes) if bytes.len() < MIN_SECRET_BYTES => Err(invalid(
            "JWT_SECRET",
            format!("must be at least {MIN_SECRET_BYTES} bytes"),
        )),
        Some(bytes) => Ok(JwtConfig {
            secret: Secret::new(bytes),
            generated: false,
            ttl,
        }),
        None if matches!(store, StoreConfig::Postgres { .. }) => {
            Err(ServeConfigError::SecretRequired)
        }
        None => Ok(JwtConfig {
            secret: Secret::new(random_bytes(MIN_SECRET_BYTES)),
            generated: true,
            ttl,
        }),
    }
}

/// `n` bytes from the operating system's random source.
fn random_bytes(n: usize) -> Vec<u8> {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = vec![0; n];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<ServeConfig, ServeConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ServeConfig::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_run_with_no_setup() {
        let c = config(&[]).unwrap();
        assert_eq!(c.port, 8080);
        assert!(matches!(c.store, StoreConfig::Sqlite { .. }));
        assert!(c.jwt.generated);
        assert_eq!(c.jwt.secret.expose().len(), MIN_SECRET_BYTES);
        assert_eq!(c.allowed_origins, vec!["http://localhost:8080".to_owned()]);
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.ws, WsLimits::default());
        assert_eq!(c.dispatch, DispatchTiming::default());
        // The documented defaults, which the engine's own defaults supply.
        assert_eq!(c.dispatch.period, Duration::from_secs(10));
        assert_eq!(c.dispatch.early_round_delay, Duration::from_millis(50));
        assert_eq!(c.kitchen_answer, Seconds(180));
        assert_eq!(c.pay, PayRates::default());
        assert_eq!(c.webhook, None);
        // Two processes never share a generated key.
        assert_ne!(c.jwt.secret, config(&[]).unwrap().jwt.secret);
    }

    #[test]
    fn values_are_read_and_checked() {
        let secret = "s".repeat(40);
        let c = config(&[
            ("PORT", "0"),
            ("JWT_SECRET", &secret),
            ("ALLOWED_ORIGINS", "https://a.example, https://b.example,"),
            ("LOG_FORMAT", "json"),
            ("CITY_CENTRE", "48.85,2.35"),
            ("WS_MAX_MESSAGE_BYTES", "1024"),
            ("DISPATCH_PERIOD_SECONDS", "1"),
            ("DISPATCH_EARLY_ROUND_MS", "0"),
            ("OFFER_TIMEOUT_SECONDS", "5"),
            ("KITCHEN_ANSWER_SECONDS", "2"),
            ("COURIER_PAY_PER_ORDER_CENTS", "450"),
            ("COURIER_GUARANTEE_PER_HOUR_CENTS", "0"),
            ("PLATFORM_COMMISSION_BPS", "10000"),
        ])
        .unwrap();
        assert_eq!(
            c.pay,
            PayRates {
                per_order_cents: 450,
                guarantee_per_hour_cents: 0,
                commission_bps: 10_000
            }
        );
        assert_eq!(c.port, 0);
        assert!(!c.jwt.generated);
        assert_eq!(c.allowed_origins.len(), 2);
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.ws.max_message_bytes, 1024);
        assert_eq!(c.dispatch.period, Duration::from_secs(1));
        assert_eq!(c.dispatch.early_round_delay, Duration::ZERO);
        assert_eq!(c.dispatch.offer_timeout, Seconds(5));
        assert_eq!(c.kitchen_answer, Seconds(2));
        for (name, value) in [
            ("PORT", "70000"),
            ("JWT_SECRET", "short"),
            ("LOG_FORMAT", "xml"),
            ("CITY_CENTRE", "91,0"),
            ("WS_HEARTBEAT_SECONDS", "0"),
            ("CITY_UTC_OFFSET_MINUTES", "900"),
            ("DISPATCH_PERIOD_SECONDS", "0"),
            ("DISPATCH_COMMIT_HORIZON_SECONDS", "-5"),
            ("DISPATCH_EARLY_ROUND_MS", "10001"),
            ("DISPATCH_EARLY_ROUND_MS", "-1"),
            ("OFFER_TIMEOUT_SECONDS", "soon"),
            ("KITCHEN_ANSWER_SECONDS", "0"),
            ("COURIER_PAY_PER_ORDER_CENTS", "-1"),
            ("COURIER_PAY_PER_ORDER_CENTS", "4.50"),
            ("COURIER_GUARANTEE_PER_HOUR_CENTS", "100000001"),
            ("PLATFORM_COMMISSION_BPS", "10001"),
            ("WEBHOOK_URL", "https://hooks.example"),
        ] {
            assert!(config(&[(name, value)]).is_err(), "{name}={value}");
        }
    }

    #[test]
    fn postgres_needs_a_secret_and_secrets_never_print() {
        let err = config(&[("DATABASE_URL", "postgres://u@h/db")]).unwrap_err();
        assert!(matches!(err, ServeConfigError::SecretRequired), "{err:?}");
        let secret = "top-secret-value-that-is-long-enough!";
        let c = config(&[("JWT_SECRET", secret)]).unwrap();
        assert!(!format!("{c:?}").contains(secret));
        let err = config(&[("JWT_SECRET", "top-secret")]).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("top-secret"));
    }
}
