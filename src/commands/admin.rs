//! `foodiefast admin create`: the one way to make an operator account.
//! Sign-up offers only customer, chef and courier, so an admin exists only
//! if someone with access to the store's configuration made it here. The
//! password comes from standard input, never from the command line.

use std::io::{BufRead, Write};

use crate::Error;
use crate::cli::AdminCreateArgs;
use crate::gateway::auth::password::{self, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::gateway::auth::tokens::unix_now;
use crate::gateway::routes::accounts::{MAX_NAME_CHARS, check_email};
use crate::gateway::validate;
use crate::store::{Account, NewAccount, Role, Store, StoreConfig};

/// Runs `foodiefast admin create`, reading the password from `input`.
pub async fn run(
    args: &AdminCreateArgs,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> Result<(), Error> {
    let mut line = String::new();
    input.read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    let config = StoreConfig::from_env()?;
    let store = Store::open(&config).await?;
    let created = create_admin(&store, &args.email, &args.name, password).await;
    store.close().await;
    let account = created?;
    writeln!(
        out,
        "admin account {} created for {}",
        account.id, account.email
    )?;
    out.flush()?;
    Ok(())
}

/// Creates an admin account in `store`; refuses a bad email, name or
/// password, and an email already used, changing nothing.
pub async fn create_admin(
    store: &Store,
    email: &str,
    name: &str,
    password: String,
) -> Result<Account, Error> {
    let refuse = |reason: String| Error::Admin(reason);
    let email = check_email(email).map_err(|e| refuse(e.to_string()))?;
    let name = validate::name("name", name, MAX_NAME_CHARS).map_err(|e| refuse(e.to_string()))?;
    let chars = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        return Err(refuse(format!(
            "the password (standard input's first line) must be {MIN_PASSWORD_CHARS} to \
             {MAX_PASSWORD_CHARS} characters"
        )));
    }
    let password_hash = password::hash(password)
        .await
        .map_err(|e| refuse(e.to_string()))?;
    store
        .create_account(NewAccount {
            email,
            password_hash,
            role: Role::Admin,
            name,
            created_at: i64::try_from(unix_now()).unwrap_or(i64::MAX),
        })
        .await?
        .ok_or_else(|| refuse("an account with this email exists".to_owned()))
}
