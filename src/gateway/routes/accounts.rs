//! Accounts: sign-up and log-in (both answer with a token), and one's own
//! profile (`GET`/`PATCH /me`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::gateway::auth::password::{self, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::gateway::auth::tokens::unix_now;
use crate::gateway::auth::{Anyone, Authed, Principal};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::Body;
use crate::gateway::state::AppState;
use crate::gateway::validate;
use crate::store::{Account, NewAccount, Role};

/// Longest name accepted.
pub(crate) const MAX_NAME_CHARS: usize = 100;

/// The account routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_up))
        .routes(routes!(log_in))
        .routes(routes!(profile, update_profile))
}

/// Roles one may sign up for (admins are made by operators).
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignUpRole {
    /// Orders food.
    Customer,
    /// Runs a kitchen.
    Chef,
    /// Delivers.
    Courier,
}

/// A sign-up.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUp {
    /// Log-in email.
    #[schema(example = "ada@example.com")]
    pub email: String,
    /// At least 8 characters.
    pub password: String,
    /// The name shown to others.
    pub name: String,
    /// What the account will do.
    pub role: SignUpRole,
}

/// A log-in.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogIn {
    /// Log-in email.
    pub email: String,
    /// The password.
    pub password: String,
}

/// A token and the account it speaks for.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Session {
    /// Bearer token for `Authorization: Bearer ...`.
    pub token: String,
    /// When it expires, Unix seconds.
    pub expires_at: u64,
    /// The account.
    pub account: Profile,
}

/// An account as its owner sees it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Profile {
    /// Account id.
    pub id: u64,
    /// Log-in email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// `customer`, `chef`, `courier` or `admin`.
    pub role: String,
}

/// A profile change.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    /// New display name.
    pub name: String,
}

impl From<Account> for Profile {
    fn from(a: Account) -> Self {
        Self {
            id: a.id,
            email: a.email,
            name: a.name,
            role: a.role.as_str().to_owned(),
        }
    }
}

pub(crate) fn check_email(email: &str) -> Result<String, ApiError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
        && !email.contains(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(ApiError::InvalidInput(
            "email is not an email address".into(),
        ))
    }
}

fn session(state: &AppState, account: Account) -> Result<Session, ApiError> {
    let principal = Principal {
        id: account.id,
        role: account.role,
    };
    let (token, expires_at) = state.tokens.issue(principal).map_err(ApiError::internal)?;
    Ok(Session {
        token,
        expires_at,
        account: account.into(),
    })
}

/// Creates an account and logs it in.
#[utoipa::path(post, path = "/auth/signup", tag = "accounts", request_body = SignUp,
    responses(
        (status = 201, description = "Account created", body = Session),
        (status = 409, description = "Email taken", body = ErrorBody),
        (status = 422, description = "Invalid email, password, name or role", body = ErrorBody),
    ))]
#[tracing::instrument(skip_all)]
async fn sign_up(
    State(state): State<AppState>,
    Body(request): Body<SignUp>,
) -> Result<(StatusCode, Json<Session>), ApiError> {
    let email = check_email(&request.email)?;
    let name = validate::name("name", &request.name, MAX_NAME_CHARS)?;
    let chars = request.password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        return Err(ApiError::InvalidInput(format!(
            "password must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
        )));
    }
    let role = match request.role {
        SignUpRole::Customer => Role::Customer,
        SignUpRole::Chef => Role::Chef,
        SignUpRole::Courier => Role::Courier,
    };
    let password_hash = password::hash(request.password).await?;
    let created_at = i64::try_from(unix_now()).unwrap_or(i64::MAX);
    let account = state
        .store
        .create_account(NewAccount {
            email,
            password_hash,
            role,
            name,
            created_at,
        })
        .await?
        .ok_or(ApiError::EmailTaken)?;
    tracing::info!(account = account.id, role = %account.role, "signed up");
    Ok((StatusCode::CREATED, Json(session(&state, account)?)))
}

/// Logs in with email and password.
#[utoipa::path(post, path = "/auth/login", tag = "accounts", request_body = LogIn,
    responses(
        (status = 200, description = "Logged in", body = Session),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
    ))]
#[tracing::instrument(skip_all)]
async fn log_in(
    State(state): State<AppState>,
    Body(request): Body<LogIn>,
) -> Result<Json<Session>, ApiError> {
    let email = request.email.trim().to_lowercase();
    let account = state.store.account_by_email(&email).await?;
    let Some(account) = account else {
        return Err(ApiError::BadCredentials);
    };
    if !password::verify(request.password, account.password_hash.clone()).await? {
        return Err(ApiError::BadCredentials);
    }
    Ok(Json(session(&state, account)?))
}

/// One's own profile.
#[utoipa::path(get, path = "/me", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 200, description = "The profile", body = Profile),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
async fn profile(
    State(state): State<AppState>,
    who: Authed<Anyone>,
) -> Result<Json<Profile>, ApiError> {
    let account = state
        .store
        .account(who.id)
        .await?
        .ok_or(ApiError::NotFound("account"))?;
    Ok(Json(account.into()))
}

/// Changes one's own display name.
#[utoipa::path(patch, path = "/me", tag = "accounts", security(("bearer" = [])),
    request_body = ProfileUpdate,
    responses(
        (status = 200, description = "The updated profile", body = Profile),
        (status = 422, description = "Invalid name", body = ErrorBody),
    ))]
async fn update_profile(
    State(state): State<AppState>,
    who: Authed<Anyone>,
    Body(update): Body<ProfileUpdate>,
) -> Result<Json<Profile>, ApiError> {
    let name = validate::name("name", &update.name, MAX_NAME_CHARS)?;
    let account = state
        .store
        .rename_account(who.id, &name)
        .await?
        .ok_or(ApiError::NotFound("account"))?;
    Ok(Json(account.into()))
}
