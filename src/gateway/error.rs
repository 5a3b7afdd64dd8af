//! [`ApiError`]: every way a request can fail, each with its HTTP status
//! and a stable `code`; the one place errors become responses.
//!
//! The body is always `{"code": "...", "message": "..."}`. Internal
//! failures are logged here, once, with their cause chain, and reach the
//! client only as `internal`; their details never leave the process.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use foodiefast_actors::EngineError;
use foodiefast_actors::domain::courier::CourierError;
use foodiefast_actors::domain::order::OrderError;
use foodiefast_actors::store::StoreError;
use serde::Serialize;

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable code (see `docs/protocol.md`).
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `malformed_json`: the body is not JSON.
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    /// 415 `unsupported_media_type`: the body is not declared as JSON.
    #[error("the body must be sent as application/json")]
    NotJson,
    /// 422 `invalid_input`: well-formed but wrong (types, ranges, missing fields).
    #[error("{0}")]
    InvalidInput(String),
    /// 400 `idempotency_key_required`: placing an order needs the header.
    #[error("the Idempotency-Key header is required (1 to 128 visible ASCII characters)")]
    IdempotencyKeyRequired,
    /// 422 `idempotency_key_reused`: the key was used with another request.
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyKeyReused,
    /// 401 `unauthenticated`: no valid token.
    #[error("authentication required: {0}")]
    Unauthenticated(&'static str),
    /// 401 `bad_credentials`: wrong email or password.
    #[error("wrong email or password")]
    BadCredentials,
    /// 403 `forbidden`: the token's role may not do this.
    #[error("this role may not do this")]
    Forbidden,
    /// 403 `origin_not_allowed`: a WebSocket upgrade from a foreign origin.
    #[error("this origin is not allowed")]
    OriginNotAllowed,
    /// 426 `upgrade_required`: a WebSocket route reached without an upgrade.
    #[error("this endpoint speaks WebSocket only")]
    UpgradeRequired,
    /// 404 `not_found`: no such thing, or not yours.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 404 `no_route`: no such endpoint.
    #[error("no such endpoint")]
    NoRoute,
    /// 405 `method_not_allowed`.
    #[error("method not allowed on this endpoint")]
    MethodNotAllowed,
    /// 409 `email_taken`.
    #[error("an account with this email exists")]
    EmailTaken,
    /// 409 `illegal_transition`: the order's lifecycle refuses this now.
    #[error("{0}")]
    IllegalTransition(String),
    /// 409 `kitchen_closed`: the kitchen takes no orders now.
    #[error("the kitchen is closed")]
    KitchenClosed,
    /// 409 `kitchen_busy`: the chef paused new orders until `until`.
    #[error("the kitchen is busy and takes no new orders until {until} (Unix seconds)")]
    KitchenBusy {
        /// When busy mode ends, Unix seconds.
        until: i64,
    },
    /// 409 `item_unavailable`: an ordered item is off the menu now.
    #[error("{0}")]
    ItemUnavailable(String),
    /// 409 `not_online`: a courier action while the courier is offline.
    #[error("the courier is not online: go online first")]
    NotOnline,
    /// 409 `already_answered`: a different answer to an offer already answered.
    #[error("{0}")]
    AlreadyAnswered(String),
    /// 503 `unavailable`: shutting down, or the order's actor is restarting.
    #[error("temporarily unavailable; retry shortly")]
    Unavailable,
    /// 500 `internal`: a failure of ours, logged, never detailed.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Any of the above as another node of the cluster answered it (the
    /// node that owns the zone): its status, code and message, unchanged.
    #[error("{message}")]
    Relayed {
        /// The owner's HTTP status.
        status: StatusCode,
        /// The owner's code.
        code: String,
        /// The owner's message.
        message: String,
    },
}

impl ApiError {
    /// The HTTP status and the stable code.
    pub fn status_and_code(&self) -> (StatusCode, &str) {
        match self {
            Self::MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            Self::NotJson => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            Self::InvalidInput(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
            Self::IdempotencyKeyRequired => (StatusCode::BAD_REQUEST, "idempotency_key_required"),
            Self::IdempotencyKeyReused => {
                (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
            }
            Self::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            Self::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
            Self::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            Self::OriginNotAllowed => (StatusCode::FORBIDDEN, "origin_not_allowed"),
            Self::UpgradeRequired => (StatusCode::UPGRADE_REQUIRED, "upgrade_required"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::NoRoute => (StatusCode::NOT_FOUND, "no_route"),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Self::EmailTaken => (StatusCode::CONFLICT, "email_taken"),
            Self::IllegalTransition(_) => (StatusCode::CONFLICT, "illegal_transition"),
            Self::KitchenClosed => (StatusCode::CONFLICT, "kitchen_closed"),
            Self::KitchenBusy { .. } => (StatusCode::CONFLICT, "kitchen_busy"),
            Self::ItemUnavailable(_) => (StatusCode::CONFLICT, "item_unavailable"),
            Self::NotOnline => (StatusCode::CONFLICT, "not_online"),
            Self::AlreadyAnswered(_) => (StatusCode::CONFLICT, "already_answered"),
            Self::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            Self::Relayed { status, code, .. } => (*status, code),
        }
    }

    /// The stable code alone.
    pub fn code(&self) -> &str {
        self.status_and_code().1
    }

    /// A failure of ours, from any error.
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }

    /// The body sent for this error.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.status_and_code().1.to_owned(),
            message: self.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(source) = &self {
            let mut chain = vec![source.to_string()];
            let mut cause = source.source();
            while let Some(c) = cause {
                chain.push(c.to_string());
                cause = c.source();
            }
            tracing::error!(cause = %chain.join(": "), "request failed");
        }
        let (status, _) = self.status_and_code();
        (status, axum::Json(self.body())).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        Self::internal(err)
    }
}

impl From<EngineError> for ApiError {
    fn from(err: EngineError) -> Self {
        match err {
            EngineError::NotFound(_) => Self::NotFound("order"),
            // Restarting, overloaded or not answering in time (a kitchen
            // whose actor is being rebuilt included): retrying is safe.
            EngineError::Unavailable(_)
            | EngineError::NoAnswer(_)
            | EngineError::KitchenNotOpen(_) => Self::Unavailable,
            EngineError::Rejected(
                refused @ (OrderError::IllegalTransition { .. } | OrderError::WrongCourier { .. }),
            ) => Self::IllegalTransition(refused.to_string()),
            EngineError::Rejected(refused @ OrderError::Payment(_)) => {
                Self::IllegalTransition(refused.to_string())
            }
            EngineError::Rejected(refused @ OrderError::InvalidDetails(_)) => {
                Self::InvalidInput(refused.to_string())
            }
            EngineError::CourierNotOnline(_) => Self::NotOnline,
            refused @ EngineError::InvalidShift(_) => Self::InvalidInput(refused.to_string()),
            EngineError::Courier(refused) => match refused {
                CourierError::IllegalTransition { .. } => {
                    Self::IllegalTransition(refused.to_string())
                }
                CourierError::AlreadyAnswered { .. } => Self::AlreadyAnswered(refused.to_string()),
                CourierError::UnknownOffer(_) => Self::NotFound("offer"),
                CourierError::UnknownOrder(_) => Self::NotFound("order"),
            },
            other => Self::internal(other),
        }
    }
}

/// The fallback for a known path with another method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

#[cfg(test)]
mod tests {
    use foodiefast_geo::OrderId;

    use super::*;

    #[test]
    fn engine_refusals_are_client_errors_and_failures_are_internal() {
        let illegal = EngineError::Rejected(OrderError::IllegalTransition {
            command: "cancel",
            status: "delivered",
        });
        assert_eq!(
            ApiError::from(illegal).status_and_code(),
            (StatusCode::CONFLICT, "illegal_transition")
        );
        assert_eq!(
            ApiError::from(EngineError::NotFound(OrderId(1)))
                .status_and_code()
                .0,
            StatusCode::NOT_FOUND
        );
        let failed = ApiError::from(StoreError::Corrupt("secret detail".into()));
        assert_eq!(
            failed.status_and_code().0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert!(!failed.body().message.contains("secret"));
    }

    #[test]
    fn courier_refusals_are_client_errors() {
        use foodiefast_actors::domain::courier::OfferAnswer;
        use foodiefast_geo::CourierId;
        for (err, status, code) in [
            (
                EngineError::CourierNotOnline(CourierId(3)),
                StatusCode::CONFLICT,
                "not_online",
            ),
            (
                EngineError::Courier(CourierError::AlreadyAnswered {
                    offer: 4,
                    answer: OfferAnswer::Accepted,
                }),
                StatusCode::CONFLICT,
                "already_answered",
            ),
            (
                EngineError::Courier(CourierError::UnknownOffer(4)),
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            (
                EngineError::Courier(CourierError::IllegalTransition {
                    command: "go offline",
                    status: "delivering",
                }),
                StatusCode::CONFLICT,
                "illegal_transition",
            ),
            (
                EngineError::NoAnswer("courier"),
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
            ),
        ] {
            assert_eq!(ApiError::from(err).status_and_code(), (status, code));
        }
    }
}
