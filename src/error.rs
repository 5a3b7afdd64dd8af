//! [`Error`]: what a `foodiefast` command can fail with. The binary prints it
//! once, with its cause chain, and exits non-zero.

use foodiefast_actors::store::StoreError;
use foodiefast_geo::GeoError;

use crate::config::ServeConfigError;
use crate::gateway::GatewayError;
use crate::mdrp::LoadError;
use crate::store::ConfigError;

/// Why a command failed. Messages stay short: the cause, if any, is reported
/// through [`std::error::Error::source`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A command-line argument outside its meaningful range.
    #[error("invalid argument {name}: {reason}")]
    InvalidArgument {
        /// The argument, as written on the command line.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The instance could not be loaded.
    #[error("cannot load the MDRP instance")]
    Instance(#[from] LoadError),
    /// A solution directory could not be read.
    #[error("cannot read the MDRP solution")]
    Solution(#[source] LoadError),
    /// A solution breaks feasibility rules (they were reported on the output).
    #[error("the solution of {instance} is infeasible: {violations} violation(s)")]
    Infeasible {
        /// The instance's name.
        instance: String,
        /// How many violations.
        violations: usize,
    },
    /// The dispatch core refused the round's inputs.
    #[error("cannot plan the round")]
    Planning(#[from] GeoError),
    /// The environment names no usable database.
    #[error("invalid store configuration")]
    Config(#[from] ConfigError),
    /// The store failed (unreachable, a migration failed, ...).
    #[error("the store failed")]
    Store(#[from] StoreError),
    /// The environment does not configure a runnable service.
    #[error("invalid service configuration")]
    ServeConfig(#[from] ServeConfigError),
    /// The gateway could not start, or failed while serving.
    #[error("the gateway failed")]
    Gateway(#[from] GatewayError),
    /// A replay of an instance's day failed.
    #[error("the replay failed")]
    Replay(#[from] crate::replay::ReplayError),
    /// A replay stopped abruptly (its thread panicked).
    #[error("the replay of {0} stopped abruptly")]
    ReplayAborted(String),
    /// A replay produced a solution that breaks the MDRP's rules.
    #[error("the replay of {instance} is infeasible: {violations} violations, first: {first}")]
    ReplayInfeasible {
        /// The instance.
        instance: String,
        /// How many rules were broken.
        violations: usize,
        /// The first violation.
        first: String,
    },
    /// An operator account could not be created as asked.
    #[error("cannot create the admin account: {0}")]
    Admin(String),
    /// A load run could not be carried out.
    #[error(transparent)]
    Loadgen(#[from] crate::loadgen::error::LoadgenError),
    /// The output could not be written.
    #[error("cannot write the output")]
    Output(#[from] std::io::Error),
}

impl Error {
    /// The error and its causes, outermost first.
    pub fn chain(&self) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
        std::iter::successors(Some(self as &(dyn std::error::Error + 'static)), |e| {
            e.source()
        })
    }
}
