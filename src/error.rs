//! [`Error`]: what a `foodiefast` command can fail with. The binary prints it
//! once, with its cause chain, and exits non-zero.

use foodiefast_actors::store::StoreError;
use foodiefast_geo::GeoError;

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
    /// The dispatch core refused the round's inputs.
    #[error("cannot plan the round")]
    Planning(#[from] GeoError),
    /// The environment names no usable database.
    #[error("invalid store configuration")]
    Config(#[from] ConfigError),
    /// The store failed (unreachable, a migration failed, ...).
    #[error("the store failed")]
    Store(#[from] StoreError),
    /// A replay of an instance's day failed.
    #[error("the replay failed")]
    Replay(#[from] crate::replay::ReplayError),
    /// A replay stopped abruptly (its thread panicked).
    #[error("the replay of {0} stopped abruptly")]
    ReplayAborted(String),
    /// A replay produced a solution that breaks the MDRP's rules.
    #[error("the solution of {instance} is infeasible: {violations} violations, first: {first}")]
    Infeasible {
        /// The instance.
        instance: String,
        /// How many rules were broken.
        violations: usize,
        /// The first violation.
        first: String,
    },
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
