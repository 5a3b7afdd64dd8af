//! A cluster's certificates made on the fly: a CA, and node certificates
//! it signs for a name, written as the PEM files `CLUSTER_TLS_*` name.

use std::path::{Path, PathBuf};

use foodiefast::cluster::config::TlsFiles;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// A certificate authority.
pub(crate) struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

/// One node's files: certificate, key, and its CA's certificate.
pub(crate) struct NodeFiles {
    cert: PathBuf,
    key: PathBuf,
    ca: PathBuf,
}

impl Ca {
    /// A new CA called `name`.
    pub(crate) fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().unwrap();
        let pem = params.self_signed(&key).unwrap().pem();
        Self {
            issuer: Issuer::new(params, key),
            pem,
        }
    }

    /// Files in `dir` for node `node`, with a certificate for DNS name
    /// `name`, good to serve and to dial.
    pub(crate) fn node_files(&self, dir: &Path, node: &str, name: &str) -> NodeFiles {
        let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, node);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let files = NodeFiles {
            cert: dir.join(format!("{node}.pem")),
            key: dir.join(format!("{node}.key")),
            ca: dir.join(format!("{node}-ca.pem")),
        };
        std::fs::write(&files.cert, cert.pem()).unwrap();
        std::fs::write(&files.key, key.serialize_pem()).unwrap();
        std::fs::write(&files.ca, &self.pem).unwrap();
        files
    }
}

impl NodeFiles {
    /// The variables that hand these files to a node.
    pub(crate) fn env(&self) -> Vec<(String, String)> {
        let text = |path: &Path| path.to_str().unwrap().to_owned();
        vec![
            ("CLUSTER_TLS_CERT".to_owned(), text(&self.cert)),
            ("CLUSTER_TLS_KEY".to_owned(), text(&self.key)),
            ("CLUSTER_TLS_CA".to_owned(), text(&self.ca)),
        ]
    }

    /// The files as the node's settings hold them, for the default name.
    pub(crate) fn tls(&self) -> TlsFiles {
        TlsFiles {
            cert: self.cert.clone(),
            key: self.key.clone(),
            ca: self.ca.clone(),
            server_name: foodiefast::cluster::config::DEFAULT_TLS_SERVER_NAME.to_owned(),
        }
    }
}
