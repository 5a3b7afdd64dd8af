//! A node's cluster settings, from the environment. Clustering is off
//! unless `CLUSTER_PORT` is set; it then needs PostgreSQL (the leases live
//! there) and a cookie, the shared secret every node proves at connection.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `CLUSTER_PORT` | port of this node's cluster listener; set, it joins a cluster | off |
//! | `CLUSTER_NODE` | this node's name, unique in the cluster | `HOSTNAME`, else `node-<port>` |
//! | `CLUSTER_ADVERTISE` | `host:port` other nodes dial to reach this one | `<CLUSTER_NODE>:<CLUSTER_PORT>` |
//! | `CLUSTER_PEERS` | comma-separated `host:port` of other nodes | none |
//! | `CLUSTER_DNS` | a headless Service's name, resolved every beat to find peers (port `CLUSTER_PORT`) | none |
//! | `CLUSTER_COOKIE` / `CLUSTER_COOKIE_FILE` | the shared secret (16 bytes or more) | required |
//! | `CLUSTER_TLS_CERT`, `CLUSTER_TLS_KEY`, `CLUSTER_TLS_CA` | PEM files: this node's certificate chain and key, and the CA that signs every node's; set together, nodes speak mutual TLS | none: plain TCP |
//! | `CLUSTER_TLS_SERVER_NAME` | the name every node's certificate carries (nodes are dialled by address) | `foodiefast-cluster` |
//! | `CLUSTER_LEASE_SECONDS` | a zone lease's length; a silent node's zones move after it | 3 |
//! | `ZONE_H3_RESOLUTION` | size of a dispatch zone, an h3 cell (5: ~250 km², 7: ~5 km²) | 6 |

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The shortest cookie accepted.
pub const MIN_COOKIE_BYTES: usize = 16;

/// The shared secret of a cluster; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Cookie(String);

impl Cookie {
    /// The secret itself, for the handshake.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cookie(<hidden>)")
    }
}

/// How this node takes part in a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    /// This node's name.
    pub node: String,
    /// Port of its cluster listener.
    pub port: u16,
    /// What other nodes dial to reach it.
    pub advertise: String,
    /// Peers named explicitly.
    pub peers: Vec<String>,
    /// A DNS name listing the peers (a headless Service).
    pub dns: Option<String>,
    /// The shared secret.
    pub cookie: Cookie,
    /// A lease's length.
    pub lease: Duration,
    /// The h3 resolution of dispatch zones.
    pub zone_resolution: u8,
    /// Mutual TLS between nodes, when configured.
    pub tls: Option<TlsFiles>,
}

/// The name a node's certificate must carry when none is configured.
pub const DEFAULT_TLS_SERVER_NAME: &str = "foodiefast-cluster";

/// Where a node's TLS material lives (read when the node starts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// This node's certificate chain, PEM.
    pub cert: PathBuf,
    /// Its private key, PEM.
    pub key: PathBuf,
    /// The certificate authority every node's certificate is signed by, PEM.
    pub ca: PathBuf,
    /// The DNS name every node's certificate carries.
    pub server_name: String,
}

/// A cluster setting that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClusterConfigError {
    /// A variable holds something unusable.
    #[error("{name}: {reason}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// Why.
        reason: String,
    },
    /// Nodes must prove a shared secret.
    #[error("CLUSTER_COOKIE or CLUSTER_COOKIE_FILE must be set when CLUSTER_PORT is")]
    CookieRequired,
    /// The cookie file cannot be read.
    #[error("cannot read CLUSTER_COOKIE_FILE {path:?}: {reason}")]
    CookieFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

fn invalid(name: &'static str, reason: impl Into<String>) -> ClusterConfigError {
    ClusterConfigError::Invalid {
        name,
        reason: reason.into(),
    }
}

/// Whether `text` is a `host:port` with a non-empty host and a port.
fn host_port(name: &'static str, text: &str) -> Result<String, ClusterConfigError> {
    match text.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => {
            Ok(text.to_owned())
        }
        _ => Err(invalid(name, format!("`{text}` is not host:port"))),
    }
}

/// The TLS files, if the three are set; an error if only some are.
fn tls_files(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<TlsFiles>, ClusterConfigError> {
    let set = |name| {
        get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let server_name =
        set("CLUSTER_TLS_SERVER_NAME").unwrap_or_else(|| DEFAULT_TLS_SERVER_NAME.to_owned());
    match (
        set("CLUSTER_TLS_CERT"),
        set("CLUSTER_TLS_KEY"),
        set("CLUSTER_TLS_CA"),
    ) {
        (None, None, None) => Ok(None),
        (Some(cert), Some(key), Some(ca)) => {
            if rustls::pki_types::ServerName::try_from(server_name.as_str()).is_err() {
                return Err(invalid(
                    "CLUSTER_TLS_SERVER_NAME",
                    format!("`{server_name}` is not a DNS name"),
                ));
            }
            Ok(Some(TlsFiles {
                cert: cert.into(),
                key: key.into(),
                ca: ca.into(),
                server_name,
            }))
        }
        _ => Err(invalid(
            "CLUSTER_TLS_CERT",
            "CLUSTER_TLS_CERT, CLUSTER_TLS_KEY and CLUSTER_TLS_CA are set together",
        )),
    }
}

impl ClusterConfig {
    /// The cluster settings of a lookup of variables; `None` when
    /// `CLUSTER_PORT` is unset (a node on its own).
    pub fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, ClusterConfigError> {
        let Some(port) = get("CLUSTER_PORT").filter(|p| !p.trim().is_empty()) else {
            return Ok(None);
        };
        let port: u16 = port
            .trim()
            .parse()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| invalid("CLUSTER_PORT", "must be a port, 1 to 65535"))?;
        let node = get("CLUSTER_NODE")
            .or_else(|| get("HOSTNAME"))
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("node-{port}"));
        // `@` separates name and host in the mesh's session names.
        let unfit = |c: char| c.is_whitespace() || c.is_control() || c == '@';
        if node.len() > 128 || node.chars().any(unfit) {
            return Err(invalid(
                "CLUSTER_NODE",
                "must be 1 to 128 characters, no spaces or `@`",
            ));
        }
        let advertise = match get("CLUSTER_ADVERTISE").filter(|a| !a.trim().is_empty()) {
            Some(text) => host_port("CLUSTER_ADVERTISE", text.trim())?,
            None => format!("{node}:{port}"),
        };
        let peers = get("CLUSTER_PEERS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| host_port("CLUSTER_PEERS", p))
            .collect::<Result<Vec<_>, _>>()?;
        let dns = get("CLUSTER_DNS")
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        let cookie = match (get("CLUSTER_COOKIE"), get("CLUSTER_COOKIE_FILE")) {
            (Some(cookie), _) if !cookie.is_empty() => cookie,
            (_, Some(path)) if !path.is_empty() => std::fs::read_to_string(&path)
                .map(|text| text.trim_end_matches(['\r', '\n']).to_owned())
                .map_err(|e| ClusterConfigError::CookieFile {
                    path: PathBuf::from(path),
                    reason: e.to_string(),
                })?,
            _ => return Err(ClusterConfigError::CookieRequired),
        };
        if cookie.len() < MIN_COOKIE_BYTES {
            return Err(invalid(
                "CLUSTER_COOKIE",
                format!("must be {MIN_COOKIE_BYTES} bytes or more"),
            ));
        }
        let lease: u64 = match get("CLUSTER_LEASE_SECONDS").filter(|l| !l.trim().is_empty()) {
            None => 3,
            Some(text) => text
                .trim()
                .parse()
                .ok()
                .filter(|s| (1..=60).contains(s))
                .ok_or_else(|| invalid("CLUSTER_LEASE_SECONDS", "must be 1 to 60"))?,
        };
        let zone_resolution: u8 = match get("ZONE_H3_RESOLUTION").filter(|r| !r.trim().is_empty()) {
            None => 6,
            Some(text) => text
                .trim()
                .parse()
                .ok()
                .filter(|r| (0..=15).contains(r))
                .ok_or_else(|| invalid("ZONE_H3_RESOLUTION", "must be 0 to 15"))?,
        };
        Ok(Some(Self {
            node,
            port,
            advertise,
            peers,
            dns,
            cookie: Cookie(cookie),
            lease: Duration::from_secs(lease),
            zone_resolution,
            tls: tls_files(get)?,
        }))
    }

    /// How often leases are renewed: a third of their length.
    pub fn beat(&self) -> Duration {
        self.lease / 3
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Option<ClusterConfig>, ClusterConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ClusterConfig::from_lookup(&|name: &str| map.get(name).cloned())
    }

    const COOKIE: &str = "0123456789abcdef-cookie";

    #[test]
    fn off_without_a_port_and_defaults_with_one() {
        assert_eq!(config(&[]), Ok(None));
        let on = config(&[
            ("CLUSTER_PORT", "4700"),
            ("CLUSTER_COOKIE", COOKIE),
            ("HOSTNAME", "pod-1"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(on.node, "pod-1");
        assert_eq!(on.advertise, "pod-1:4700");
        assert_eq!(on.lease, Duration::from_secs(3));
        assert_eq!(on.beat(), Duration::from_secs(1));
        assert_eq!(on.zone_resolution, 6);
        assert!(on.peers.is_empty());
        assert_eq!(on.tls, None);
        assert!(
            !format!("{on:?}").contains(COOKIE),
            "the cookie never prints"
        );
    }

    #[test]
    fn peers_and_dns_are_read_and_checked() {
        let on = config(&[
            ("CLUSTER_PORT", "4700"),
            ("CLUSTER_COOKIE", COOKIE),
            ("CLUSTER_NODE", "a"),
            ("CLUSTER_PEERS", "127.0.0.1:4701, b.local:4702,"),
            ("CLUSTER_DNS", "foodiefast-cluster.default.svc"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(on.peers, ["127.0.0.1:4701", "b.local:4702"]);
        assert_eq!(on.dns.as_deref(), Some("foodiefast-cluster.default.svc"));
        let bad = config(&[
            ("CLUSTER_PORT", "4700"),
            ("CLUSTER_COOKIE", COOKIE),
            ("CLUSTER_PEERS", "nowhere"),
        ]);
        assert!(matches!(
            bad,
            Err(ClusterConfigError::Invalid {
                name: "CLUSTER_PEERS",
                ..
            })
        ));
    }

    #[test]
    fn a_cookie_is_required_and_must_be_long_enough() {
        assert_eq!(
            config(&[("CLUSTER_PORT", "4700")]),
            Err(ClusterConfigError::CookieRequired)
        );
        assert!(matches!(
            config(&[("CLUSTER_PORT", "4700"), ("CLUSTER_COOKIE", "short")]),
            Err(ClusterConfigError::Invalid {
                name: "CLUSTER_COOKIE",
                ..
            })
        ));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cookie");
        std::fs::write(&path, format!("{COOKIE}\n")).unwrap();
        let on = config(&[
            ("CLUSTER_PORT", "4700"),
            ("CLUSTER_COOKIE_FILE", path.to_str().unwrap()),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(on.cookie.expose(), COOKIE);
    }

    #[test]
    fn tls_takes_its_three_files_together() {
        let base = [("CLUSTER_PORT", "4700"), ("CLUSTER_COOKIE", COOKIE)];
        let files = [
            ("CLUSTER_TLS_CERT", "/etc/foodiefast/node.pem"),
            ("CLUSTER_TLS_KEY", "/etc/foodiefast/node.key"),
            ("CLUSTER_TLS_CA", "/etc/foodiefast/ca.pem"),
        ];
        let on = config(&[&base[..], &files[..]].concat()).unwrap().unwrap();
        assert_eq!(
            on.tls,
            Some(TlsFiles {
                cert: "/etc/foodiefast/node.pem".into(),
                key: "/etc/foodiefast/node.key".into(),
                ca: "/etc/foodiefast/ca.pem".into(),
                server_name: DEFAULT_TLS_SERVER_NAME.to_owned(),
            })
        );
        let named = [("CLUSTER_TLS_SERVER_NAME", "nodes.foodiefast.internal")];
        let on = config(&[&base[..], &files[..], &named[..]].concat())
            .unwrap()
            .unwrap();
        assert_eq!(on.tls.unwrap().server_name, "nodes.foodiefast.internal");
        for missing in 0..files.len() {
            let mut some = files.to_vec();
            some.remove(missing);
            assert!(
                matches!(
                    config(&[&base[..], &some[..]].concat()),
                    Err(ClusterConfigError::Invalid {
                        name: "CLUSTER_TLS_CERT",
                        ..
                    })
                ),
                "TLS accepted without {}",
                files[missing].0
            );
        }
        let unnamed = [("CLUSTER_TLS_SERVER_NAME", "not a name!")];
        assert!(matches!(
            config(&[&base[..], &files[..], &unnamed[..]].concat()),
            Err(ClusterConfigError::Invalid {
                name: "CLUSTER_TLS_SERVER_NAME",
                ..
            })
        ));
    }

    #[test]
    fn bad_numbers_are_refused_by_name() {
        for (name, value) in [
            ("CLUSTER_PORT", "0"),
            ("CLUSTER_PORT", "port"),
            ("CLUSTER_LEASE_SECONDS", "0"),
            ("CLUSTER_LEASE_SECONDS", "61"),
            ("ZONE_H3_RESOLUTION", "16"),
            ("CLUSTER_NODE", "pod@host"),
        ] {
            let mut vars = vec![("CLUSTER_PORT", "4700"), ("CLUSTER_COOKIE", COOKIE)];
            vars.retain(|(k, _)| *k != name);
            vars.push((name, value));
            assert!(
                matches!(config(&vars), Err(ClusterConfigError::Invalid { name: n, .. }) if n == name),
                "{name}={value} accepted"
            );
        }
    }
}
