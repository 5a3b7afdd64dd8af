//! The run's accounts: chefs, couriers and customers, each with a token.
//!
//! Sign-up hashes every password with argon2 on purpose (tens of
//! milliseconds of CPU each), so 20,000 sign-ups would take minutes of
//! the machine's two cores. A run that starts its own server instead
//! writes the accounts into the fresh store before the server starts,
//! through the store's own `create_account`, all with one argon2 hash of
//! one password (made by the gateway's own hashing), and signs their
//! tokens with the gateway's own [`TokenKeys`] under the secret it hands
//! the server: the accounts and tokens are exactly what sign-up makes.
//! Against a running server (`--url`) the run signs up over the API,
//! [`CONCURRENCY`](super::api::CONCURRENCY) at a time.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use super::api::{Api, in_parallel, u64_field};
use super::error::LoadgenError;
use crate::config::{JwtConfig, Secret};
use crate::gateway::auth::{Principal, TokenKeys, password};
use crate::store::{NewAccount, Role, Store, StoreConfig};

/// Every load-test account's password.
const PASSWORD: &str = "loadgen password, not a secret";
/// How long the run's tokens live (longer than any run).
const TOKEN_TTL: Duration = Duration::from_hours(24);

/// An account and its bearer token.
#[derive(Debug, Clone)]
pub struct Account {
    /// Its id.
    pub id: u64,
    /// Its token.
    pub token: String,
}

/// The run's accounts by role.
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    /// One per kitchen.
    pub chefs: Vec<Account>,
    /// One per courier.
    pub couriers: Vec<Account>,
    /// One per tracker.
    pub customers: Vec<Account>,
}

/// How many accounts of each role.
#[derive(Debug, Clone, Copy)]
pub struct Headcount {
    /// Chefs (kitchens).
    pub chefs: usize,
    /// Couriers.
    pub couriers: usize,
    /// Customers.
    pub customers: usize,
}

impl Headcount {
    fn roles(self) -> [(Role, usize); 3] {
        [
            (Role::Chef, self.chefs),
            (Role::Courier, self.couriers),
            (Role::Customer, self.customers),
        ]
    }
}

/// A log-in no other run uses: `run` tells runs apart.
fn email(run: &str, role: Role, i: usize) -> String {
    format!("loadgen-{run}-{role}-{i}@loadgen.example")
}

fn assign(accounts: &mut Accounts, role: Role, list: Vec<Account>) {
    match role {
        Role::Chef => accounts.chefs = list,
        Role::Courier => accounts.couriers = list,
        Role::Customer | Role::Admin => accounts.customers = list,
    }
}

/// Writes the accounts into the SQLite store at `db` (the server is not
/// running yet) and signs their tokens with `secret`.
pub async fn in_store(
    db: &Path,
    secret: &[u8],
    run: &str,
    headcount: Headcount,
) -> Result<Accounts, LoadgenError> {
    let failed = |e: &dyn std::fmt::Display| LoadgenError::Provision(format!("store: {e}"));
    let store = Store::open(&StoreConfig::Sqlite {
        path: db.to_owned(),
    })
    .await
    .map_err(|e| failed(&e))?;
    let password_hash = password::hash(PASSWORD.to_owned())
        .await
        .map_err(|e| failed(&e))?;
    let keys = TokenKeys::new(&JwtConfig {
        secret: Secret::new(secret.to_vec()),
        generated: false,
        ttl: TOKEN_TTL,
    });
    let now = crate::gateway::auth::tokens::unix_now() as i64;
    let mut accounts = Accounts::default();
    for (role, count) in headcount.roles() {
        let list = in_parallel(0..count, |i| {
            let new = NewAccount {
                email: email(run, role, i),
                password_hash: password_hash.clone(),
                role,
                name: format!("Load {role} {i}"),
                created_at: now,
            };
            let (store, keys) = (&store, &keys);
            async move {
                let account = store
                    .create_account(new)
                    .await
                    .map_err(|e| failed(&e))?
                    .ok_or_else(|| failed(&"an account's email is taken"))?;
                let (token, _) = keys
                    .issue(Principal {
                        id: account.id,
                        role,
                    })
                    .map_err(|e| failed(&e))?;
                Ok(Account {
                    id: account.id,
                    token,
                })
            }
        })
        .await?;
        assign(&mut accounts, role, list);
    }
    store.close().await;
    Ok(accounts)
}

/// Signs the accounts up over the API of a running server.
pub async fn signed_up(
    api: &Api,
    run: &str,
    headcount: Headcount,
) -> Result<Accounts, LoadgenError> {
    let mut accounts = Accounts::default();
    for (role, count) in headcount.roles() {
        let list = in_parallel(0..count, |i| async move {
            let body = json!({
                "email": email(run, role, i),
                "password": PASSWORD,
                "name": format!("Load {role} {i}"),
                "role": role.as_str(),
            });
            let answer = api
                .call(reqwest::Method::POST, "/auth/signup", None, &body, None)
                .await?;
            let token = answer
                .get("token")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| LoadgenError::Provision(format!("no token in {answer}")))?;
            Ok(Account {
                id: u64_field(&answer, "/account/id")?,
                token: token.to_owned(),
            })
        })
        .await?;
        assign(&mut accounts, role, list);
    }
    Ok(accounts)
}
