//! [`LoadgenError`]: why a load run could not be carried out (errors on
//! single connections during the run are counted in the report instead).

/// Why a load run failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadgenError {
    /// The server could not be started or read.
    #[error("load generator: {0}")]
    Server(String),
    /// Setting up accounts, kitchens, couriers or orders failed.
    #[error("load generator: provisioning failed: {0}")]
    Provision(String),
    /// A client connection could not be opened.
    #[error("load generator: cannot connect: {0}")]
    Connect(String),
    /// A worker process failed, or the run and a worker misunderstood each other.
    #[error("load generator: worker: {0}")]
    Worker(String),
}
