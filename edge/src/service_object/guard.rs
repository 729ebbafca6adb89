//! What a client's request passes first: a browser's origin must be allowed (CORS), and public
//! callers are rate-limited per client.

use super::ServiceObject;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http;
use callback_shared::config::Window;
use callback_shared::limits::RateWindows;
use std::cell::RefCell;
use worker::{Request, Response};

/// Fixed-window counters per key (a client IP, a customer number, an access number's code
/// misses). Kept in memory: they protect the service, and need not survive an eviction.
#[derive(Default)]
pub struct RateLimiter(RefCell<RateWindows>);

impl RateLimiter {
    /// Counts a request on `key` in its window: 429 past the limit.
    pub fn hit(&self, key: &str, window: Window) -> ApiResult<()> {
        let wait = self
            .0
            .borrow_mut()
            .hit(key, window, crate::clock::now().timestamp_millis());
        wait.map_or(Ok(()), |secs| Err(ApiError::TooManyRequests(secs)))
    }

    /// 429 when `key` has used up its window already, without counting this request.
    pub fn peek(&self, key: &str, window: Window) -> ApiResult<()> {
        let wait = self
            .0
            .borrow()
            .over(key, window, crate::clock::now().timestamp_millis());
        wait.map_or(Ok(()), |secs| Err(ApiError::TooManyRequests(secs)))
    }

    pub fn forget(&self, key: &str) {
        self.0.borrow_mut().forget(key);
    }

    pub fn clear(&self) {
        self.0.borrow_mut().clear();
    }
}

/// The rate key of a customer number's creates.
pub fn number_key(number: &str) -> String {
    format!("number:{number}")
}

/// The answer to a CORS preflight: allowed origins only.
pub fn preflight(req: &Request, allowed_origins: &[String]) -> ApiResult<Response> {
    let origin = http::header(req, "origin").ok_or(ApiError::Forbidden)?;
    if !http::origin_allowed(&origin, &http::own_origin(req)?, allowed_origins) {
        return Err(ApiError::Forbidden);
    }
    http::preflight(&origin)
}

/// The origin of a browser on another site than ours, if the request comes from one.
pub fn cross_origin(req: &Request) -> Option<String> {
    http::header(req, "origin").filter(|o| http::own_origin(req).is_ok_and(|own| *o != own))
}

impl ServiceObject {
    /// Browsers: the origin must be allowed. Public callers: the per-IP rate limit.
    pub(super) fn guard(
        &self,
        req: &Request,
        service: &str,
        allowed_origins: &[String],
        rate: Window,
        caller: Caller,
    ) -> ApiResult<()> {
        if let Some(origin) = http::header(req, "origin") {
            if !http::origin_allowed(&origin, &http::own_origin(req)?, allowed_origins) {
                return Err(ApiError::OriginNotAllowed {
                    origin,
                    service: service.to_string(),
                });
            }
        }
        if caller == Caller::Public {
            self.rates
                .hit(&format!("ip:{}", crate::auth::client(req)), rate)?;
        }
        Ok(())
    }
}
