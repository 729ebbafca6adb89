//! The one error type of the edge and the one place that turns errors into HTTP answers.

use callback_shared::availability::Slot;
use callback_shared::config::ConfigError;
use callback_shared::create::CreateError;
use callback_shared::params::ParamError;
use callback_shared::query::QueryError;
use callback_shared::scenario::Illegal;
use callback_shared::wire::{availability_v1, ErrorBody};
use worker::{Headers, Response};

const EXCEPTIONS: &str = "com.genesyslab.gsg.services.callback.exceptions";

/// Serializable: an error crosses from one object to another with its kind (see `internal`).
#[derive(Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum ApiError {
    #[error("Service {0} is not configured.")]
    UnknownService(String),
    #[error("Callback {0} was not found.")]
    UnknownCallback(String),
    #[error("Agent {0} is not configured.")]
    UnknownAgent(String),
    #[error("No route for {0}")]
    NotFound(String),
    #[error("Section {0} does not exist.")]
    UnknownSection(String),
    #[error("{0}")]
    InvalidParameter(String),
    #[error("{message}")]
    Unavailable {
        message: String,
        alternatives: Vec<Slot>,
    },
    #[error("{0}")]
    InvalidState(String),
    #[error("{0}")]
    ServiceUnavailable(String),
    #[error("Credentials are required.")]
    Unauthenticated,
    #[error("An agent's bearer token is required (Authorization: Bearer <token>), as issued by PUT /genesys/1/admin/agents/{{id}}.")]
    BadToken,
    #[error("These credentials may not do this.")]
    Forbidden,
    #[error("This site ({origin}) may not use service {service}: add the origin to the service's _allowed_origins.")]
    OriginNotAllowed { origin: String, service: String },
    #[error("A page of another site ({0}) may not use administration or agents' routes: browsers attach saved credentials to its requests. Use the console on this host, or call from a server.")]
    CrossSite(String),
    #[error("Administration is disabled: this deployment has no admin credentials.")]
    AdminDisabled,
    #[error("Too many requests; retry in {0} s.")]
    TooManyRequests(u32),
    #[error("The request body is larger than 64 KiB.")]
    TooLarge,
    #[error("Send the body as application/json or application/x-www-form-urlencoded.")]
    UnsupportedMediaType,
    #[error("{0} is not allowed on this path.")]
    MethodNotAllowed(String),
    #[error("The same Idempotency-Key was used with another body.")]
    IdempotencyConflict,
    #[error("Internal error: {0}")]
    Internal(String),
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> ApiError {
        ApiError::Internal(e.to_string())
    }
}

impl From<callback_shared::create::StorageError> for ApiError {
    fn from(e: callback_shared::create::StorageError) -> ApiError {
        ApiError::Internal(e.to_string())
    }
}

impl From<ParamError> for ApiError {
    fn from(e: ParamError) -> ApiError {
        ApiError::InvalidParameter(e.to_string())
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> ApiError {
        ApiError::InvalidParameter(e.to_string())
    }
}

impl From<ConfigError> for ApiError {
    fn from(e: ConfigError) -> ApiError {
        ApiError::InvalidParameter(e.to_string())
    }
}

impl From<Illegal> for ApiError {
    fn from(e: Illegal) -> ApiError {
        match e {
            Illegal::NotYourCallback => ApiError::Forbidden,
            other => ApiError::InvalidState(other.to_string()),
        }
    }
}

impl From<CreateError> for ApiError {
    fn from(e: CreateError) -> ApiError {
        match e {
            CreateError::InvalidParameter { .. } => ApiError::InvalidParameter(e.to_string()),
            CreateError::Unavailable {
                unavailable,
                message,
            } => ApiError::Unavailable {
                message,
                alternatives: unavailable.alternatives,
            },
            CreateError::Limit(limit) => ApiError::ServiceUnavailable(limit.to_string()),
            CreateError::Storage(e) => e.into(),
        }
    }
}

impl ApiError {
    /// HTTP status and GMS exception class.
    fn status(&self) -> (u16, &'static str) {
        match self {
            ApiError::UnknownService(_) => (404, "CallbackExceptionResource"),
            ApiError::UnknownCallback(_)
            | ApiError::NotFound(_)
            | ApiError::UnknownSection(_)
            | ApiError::UnknownAgent(_) => (404, "CallbackExceptionNotFound"),
            ApiError::InvalidParameter(_) => (400, "CallbackExceptionInvalidParameter"),
            ApiError::Unavailable { .. } => (400, "CallbackExceptionAvailability"),
            ApiError::InvalidState(_) | ApiError::IdempotencyConflict => {
                (409, "CallbackExceptionInvalidState")
            }
            ApiError::ServiceUnavailable(_) | ApiError::AdminDisabled => {
                (503, "CallbackExceptionServiceUnavailable")
            }
            ApiError::Unauthenticated | ApiError::BadToken => {
                (401, "CallbackExceptionUnauthorized")
            }
            ApiError::Forbidden | ApiError::OriginNotAllowed { .. } | ApiError::CrossSite(_) => {
                (403, "CallbackExceptionUnauthorized")
            }
            ApiError::TooManyRequests(_) => (429, "CallbackExceptionTooManyRequests"),
            ApiError::TooLarge => (413, "CallbackExceptionInvalidParameter"),
            ApiError::UnsupportedMediaType => (415, "CallbackExceptionInvalidParameter"),
            ApiError::MethodNotAllowed(_) => (405, "CallbackExceptionInvalidParameter"),
            ApiError::Internal(_) => (500, "CallbackException"),
        }
    }

    /// The answer's body. What went wrong inside is for the log, never for the client.
    fn body(&self) -> ErrorBody {
        let (code, class) = self.status();
        let availability = match self {
            ApiError::Unavailable { alternatives, .. } => Some(availability_v1(alternatives)),
            _ => None,
        };
        let message = match self {
            ApiError::Internal(_) => "Internal error; it has been logged.".to_string(),
            other => other.to_string(),
        };
        ErrorBody {
            code,
            message,
            exception: format!("{EXCEPTIONS}.{class}"),
            availability,
        }
    }

    pub fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            worker::console_error!("internal error: {detail}");
        }
        let body = self.body();
        let code = body.code;
        let headers = Headers::new();
        let _ = headers.set("content-type", "application/json; charset=utf-8");
        match &self {
            ApiError::TooManyRequests(secs) => {
                let _ = headers.set("retry-after", &secs.to_string());
            }
            ApiError::Unauthenticated => {
                let _ = headers.set("www-authenticate", "Basic realm=\"callback\"");
            }
            ApiError::BadToken => {
                let _ = headers.set("www-authenticate", "Bearer realm=\"callback-agent\"");
            }
            _ => {}
        }
        let text = serde_json::to_string(&body).unwrap_or_else(|_| String::from("{\"code\":500}"));
        match Response::ok(text) {
            Ok(r) => r.with_status(code).with_headers(headers),
            Err(_) => Response::error("error", code).unwrap_or_else(|_| {
                #[allow(
                    clippy::expect_used,
                    reason = "an empty response has nothing to fail on"
                )]
                Response::empty().expect("an empty response can always be built")
            }),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_answer_nothing_of_what_went_wrong() {
        let detail = "stored record unreadable: expected value at line 1 column 7 (callbacks)";
        let body = ApiError::Internal(detail.into()).body();
        assert_eq!(body.code, 500);
        assert_eq!(body.message, "Internal error; it has been logged.");
        let text = serde_json::to_string(&body).unwrap();
        assert!(
            !text.contains("stored") && !text.contains("callbacks"),
            "{text}"
        );
        // Other errors say what was wrong with the request.
        let bad = ApiError::InvalidParameter("_desired_time: not a time".into()).body();
        assert_eq!(
            (bad.code, bad.message.as_str()),
            (400, "_desired_time: not a time")
        );
    }
}
