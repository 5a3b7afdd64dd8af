//! Accounts: sign-up, log-in lookups and profiles, on either backend.
//!
//! An account's id is the customer's, chef's or courier's id in the engine.
//! Only the argon2 hash of a password is stored (hashing happens in the
//! gateway); [`Account`]'s `Debug` leaves the hash out.

use std::fmt;

use foodiefast_actors::store::StoreError;
use sqlx::{Database, Decode, Encode, Executor, FromRow, IntoArguments, Type, query_as};

use super::rows::{backend, corrupt, from_db, is_unique_violation, to_db};
use super::shared::SqlStore;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Orders food.
    Customer,
    /// Runs a kitchen.
    Chef,
    /// Delivers.
    Courier,
    /// Operates the service.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 4] = [Self::Customer, Self::Chef, Self::Courier, Self::Admin];

    /// The role's name, as stored and in tokens.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Chef => "chef",
            Self::Courier => "courier",
            Self::Admin => "admin",
        }
    }

    /// Parses a name written by [`Self::as_str`].
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored account.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// The account's id.
    pub id: u64,
    /// Its log-in, unique (stored lower-case).
    pub email: String,
    /// The argon2 hash of its password (PHC string).
    pub password_hash: String,
    /// What it may do.
    pub role: Role,
    /// The name shown to others.
    pub name: String,
    /// When it signed up, Unix seconds.
    pub created_at: i64,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// What sign-up stores.
#[derive(Clone)]
pub struct NewAccount {
    /// Its log-in (lower-cased by the caller).
    pub email: String,
    /// The argon2 hash of its password.
    pub password_hash: String,
    /// What it may do.
    pub role: Role,
    /// The name shown to others.
    pub name: String,
    /// When, Unix seconds.
    pub created_at: i64,
}

/// The columns of `accounts`, in [`AccountRow`]'s order.
macro_rules! account_columns {
    () => {
        "id, email, password_hash, role, name, created_at"
    };
}

/// A row of `accounts`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AccountRow {
    id: i64,
    email: String,
    password_hash: String,
    role: String,
    name: String,
    created_at: i64,
}

impl AccountRow {
    fn decode(self) -> Result<Account, StoreError> {
        Ok(Account {
            id: from_db(self.id, "account id")?,
            role: Role::parse(&self.role)
                .ok_or_else(|| corrupt(format!("unknown role `{}`", self.role)))?,
            email: self.email,
            password_hash: self.password_hash,
            name: self.name,
            created_at: self.created_at,
        })
    }
}

impl<DB> SqlStore<DB>
where
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    i64: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    AccountRow: for<'r> FromRow<'r, DB::Row>,
{
    /// Stores a new account; `None` when the email is taken.
    pub(crate) async fn create_account(
        &self,
        new: NewAccount,
    ) -> Result<Option<Account>, StoreError> {
        let inserted: Result<AccountRow, sqlx::Error> = query_as(concat!(
            "INSERT INTO accounts (email, password_hash, role, name, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING ",
            account_columns!()
        ))
        .bind(new.email)
        .bind(new.password_hash)
        .bind(new.role.as_str().to_owned())
        .bind(new.name)
        .bind(new.created_at)
        .fetch_one(&self.pool)
        .await;
        match inserted {
            Ok(row) => row.decode().map(Some),
            Err(err) if is_unique_violation(&err) => Ok(None),
            Err(err) => Err(backend(err)),
        }
    }

    /// The account logging in with `email`.
    pub(crate) async fn account_by_email(
        &self,
        email: &str,
    ) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> = query_as(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts WHERE email = $1"
        ))
        .bind(email.to_owned())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.map(AccountRow::decode).transpose()
    }

    /// The account `id`.
    pub(crate) async fn account(&self, id: u64) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> = query_as(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts WHERE id = $1"
        ))
        .bind(to_db(id, "account id")?)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.map(AccountRow::decode).transpose()
    }

    /// Renames account `id`; `None` when there is no such account.
    pub(crate) async fn rename_account(
        &self,
        id: u64,
        name: &str,
    ) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountRow> = query_as(concat!(
            "UPDATE accounts SET name = $1 WHERE id = $2 RETURNING ",
            account_columns!()
        ))
        .bind(name.to_owned())
        .bind(to_db(id, "account id")?)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.map(AccountRow::decode).transpose()
    }
}
