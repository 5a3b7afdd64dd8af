//! Mutual TLS between nodes, when `CLUSTER_TLS_*` is set: every node holds
//! a certificate signed by the cluster's own CA, carrying the cluster's
//! server name. A node accepts a connection only from a peer proving such a
//! certificate, and dials a peer only if the peer proves one: nodes are
//! dialled by address (pod IPs come and go), so the name checked is the
//! cluster's, not the address's. The cookie is still proved inside.
//!
//! The crypto provider is named explicitly (ring), since more than one is
//! compiled in and rustls then picks none by itself.

use std::path::Path;
use std::sync::Arc;

use ractor::ActorRef;
use ractor_cluster::{IncomingEncryptionMode, NodeServerMessage};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::config::TlsFiles;

/// Why a node's TLS material cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file is missing, unreadable or holds no usable PEM.
    #[error("{what} {path:?}: {reason}")]
    File {
        /// Which file (`CLUSTER_TLS_CERT`…).
        what: &'static str,
        /// Its path.
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },
    /// The files do not make a TLS setup (a key not matching the
    /// certificate, a CA that is not one…).
    #[error("cluster TLS: {0}")]
    Setup(String),
}

/// Both sides of a node's TLS: what it accepts with and dials with.
#[derive(Clone)]
pub struct ClusterTls {
    acceptor: TlsAcceptor,
    connector: TlsConnector,
    server_name: ServerName<'static>,
}

impl std::fmt::Debug for ClusterTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterTls")
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

fn certificates(what: &'static str, path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let failed = |reason: String| TlsError::File {
        what,
        path: path.to_owned(),
        reason,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| failed(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| failed(e.to_string()))?;
    if certs.is_empty() {
        return Err(failed("no PEM certificate in it".to_owned()));
    }
    Ok(certs)
}

fn setup(err: impl std::fmt::Display) -> TlsError {
    TlsError::Setup(err.to_string())
}

impl ClusterTls {
    /// Reads and checks `files`.
    pub fn load(files: &TlsFiles) -> Result<Self, TlsError> {
        let chain = certificates("CLUSTER_TLS_CERT", &files.cert)?;
        let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| TlsError::File {
            what: "CLUSTER_TLS_KEY",
            path: files.key.clone(),
            reason: e.to_string(),
        })?;
        let mut roots = RootCertStore::empty();
        for ca in certificates("CLUSTER_TLS_CA", &files.ca)? {
            roots.add(ca).map_err(|e| TlsError::File {
                what: "CLUSTER_TLS_CA",
                path: files.ca.clone(),
                reason: e.to_string(),
            })?;
        }
        let roots = Arc::new(roots);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server_name = ServerName::try_from(files.server_name.clone()).map_err(setup)?;

        let peers = WebPkiClientVerifier::builder_with_provider(roots.clone(), provider.clone())
            .build()
            .map_err(setup)?;
        let server = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(setup)?
            .with_client_cert_verifier(peers)
            .with_single_cert(chain.clone(), key.clone_key())
            .map_err(setup)?;
        let client = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(setup)?
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, key)
            .map_err(setup)?;
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(server)),
            connector: TlsConnector::from(Arc::new(client)),
            server_name,
        })
    }

    /// How the node server takes incoming connections.
    pub fn incoming(&self) -> IncomingEncryptionMode {
        IncomingEncryptionMode::Tls(self.acceptor.clone())
    }

    /// Dials `address` for `server`, over TLS.
    pub async fn connect(
        &self,
        server: &ActorRef<NodeServerMessage>,
        address: &str,
    ) -> Result<(), ractor_cluster::ClientConnectErr> {
        ractor_cluster::client_connect_enc(
            server,
            address,
            self.connector.clone(),
            self.server_name.clone(),
        )
        .await
    }
}
