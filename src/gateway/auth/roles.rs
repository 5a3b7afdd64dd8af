//! [`Authed<R>`]: the extractor every protected handler takes. It reads
//! `Authorization: Bearer <token>`, verifies the token and refuses roles
//! outside `R` with 403, so a route's allowed roles are in its signature.

use std::marker::PhantomData;
use std::ops::Deref;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::tokens::Principal;
use crate::gateway::error::ApiError;
use crate::gateway::state::AppState;
use crate::store::Role;

/// A set of roles a route admits.
pub trait RoleSet: Send + Sync + 'static {
    /// The roles.
    const ROLES: &'static [Role];
}

/// Customers only.
#[derive(Debug)]
pub struct Customer;
impl RoleSet for Customer {
    const ROLES: &'static [Role] = &[Role::Customer];
}

/// Chefs only.
#[derive(Debug)]
pub struct Chef;
impl RoleSet for Chef {
    const ROLES: &'static [Role] = &[Role::Chef];
}

/// Couriers only.
#[derive(Debug)]
pub struct Courier;
impl RoleSet for Courier {
    const ROLES: &'static [Role] = &[Role::Courier];
}

/// Admins only.
#[derive(Debug)]
pub struct Admin;
impl RoleSet for Admin {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// Any signed-in account.
#[derive(Debug)]
pub struct Anyone;
impl RoleSet for Anyone {
    const ROLES: &'static [Role] = &Role::ALL;
}

/// A request authenticated as a principal whose role is in `R`.
#[derive(Debug)]
pub struct Authed<R: RoleSet>(pub Principal, PhantomData<R>);

impl<R: RoleSet> Deref for Authed<R> {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl<R: RoleSet> Authed<R> {
    /// Checks `principal` against `R`.
    pub fn admit(principal: Principal) -> Result<Self, ApiError> {
        if R::ROLES.contains(&principal.role) {
            Ok(Self(principal, PhantomData))
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// The bearer token of `parts`, if any.
pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl<R: RoleSet> FromRequestParts<AppState> for Authed<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts).ok_or(ApiError::Unauthenticated("no bearer token"))?;
        let principal = state
            .tokens
            .verify(token)
            .map_err(|_| ApiError::Unauthenticated("invalid or expired token"))?;
        Self::admit(principal)
    }
}
