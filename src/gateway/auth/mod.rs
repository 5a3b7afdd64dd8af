//! Authentication and authorisation: password hashes ([`password`]),
//! tokens ([`tokens`]) and the extractor that enforces a role per route
//! ([`roles`]).

pub mod password;
pub mod roles;
pub mod tokens;

pub use roles::{Admin, Anyone, Authed, Chef, Courier, Customer};
pub use tokens::{Principal, TokenKeys};
