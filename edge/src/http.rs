//! Reading requests and writing answers: body limits, content types, JSON, CORS.

use crate::error::{ApiError, ApiResult};
use callback_shared::params::{self, Params};
use serde::Serialize;
use worker::{Headers, Request, Response};

pub const MAX_BODY: usize = 64 * 1024;

/// The body as text: at most 64 KiB, UTF-8.
pub async fn body(req: &mut Request) -> ApiResult<String> {
    let declared = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|l| l.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Err(ApiError::TooLarge);
    }
    let mut bytes = Vec::new();
    if declared.is_some() {
        // A declared length within the limit: read in one call (streaming costs a call per chunk).
        bytes = req.bytes().await?;
        if bytes.len() > MAX_BODY {
            return Err(ApiError::TooLarge);
        }
    } else if req.inner().body().is_some() {
        // Read as it arrives: a body without a length (chunked) is refused once past the limit,
        // not buffered whole first.
        let mut stream = req.stream()?;
        while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
            let chunk = chunk
                .map_err(|_| ApiError::InvalidParameter("the body could not be read".into()))?;
            if bytes.len().saturating_add(chunk.len()) > MAX_BODY {
                return Err(ApiError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
    }
    String::from_utf8(bytes)
        .map_err(|_| ApiError::InvalidParameter("the body is not UTF-8 text".into()))
}

/// Parameters of a body that is JSON or a form (an empty body has none).
pub fn body_params(content_type: &str, body: &str) -> ApiResult<Params> {
    if body.trim().is_empty() {
        return Ok(Params::new());
    }
    let ct = content_type.to_ascii_lowercase();
    if ct.starts_with("application/json") {
        Ok(params::from_json(body)?)
    } else if ct.starts_with("application/x-www-form-urlencoded") {
        Ok(params::from_form(body)?)
    } else {
        Err(ApiError::UnsupportedMediaType)
    }
}

/// A body of a known shape (admin requests), as JSON or as a form (see [`params::form_as_json`]).
pub fn body_json<T: serde::de::DeserializeOwned>(content_type: &str, body: &str) -> ApiResult<T> {
    let ct = content_type.to_ascii_lowercase();
    let read = if ct.starts_with("application/json") {
        serde_json::from_str(body)
    } else if ct.starts_with("application/x-www-form-urlencoded") {
        serde_json::from_value(params::form_as_json(body)?)
    } else {
        return Err(ApiError::UnsupportedMediaType);
    };
    read.map_err(|e| ApiError::InvalidParameter(format!("the body does not fit: {e}")))
}

pub fn content_type(req: &Request) -> String {
    req.headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default()
}

pub fn header(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .ok()
        .flatten()
        .filter(|v| !v.is_empty())
}

/// The query string's pairs, in order.
pub fn query(req: &Request) -> ApiResult<Vec<(String, String)>> {
    let url = req.url()?;
    Ok(params::pairs(url.query().unwrap_or(""))?)
}

/// The query string as parameters (the last of a repeated key wins).
pub fn query_params(req: &Request) -> ApiResult<Params> {
    Ok(query(req)?.into_iter().collect())
}

pub fn json<T: Serialize>(value: &T) -> ApiResult<Response> {
    json_status(value, 200)
}

pub fn json_status<T: Serialize>(value: &T, status: u16) -> ApiResult<Response> {
    let text = serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    text_response(text, "application/json; charset=utf-8", status)
}

pub fn text_response(text: String, content_type: &str, status: u16) -> ApiResult<Response> {
    let headers = Headers::new();
    headers.set("content-type", content_type)?;
    Ok(Response::ok(text)?
        .with_status(status)
        .with_headers(headers))
}

/// An answer's body read whole in one call: worker's own `Response::json` reads a fetched body
/// chunk by chunk, a round trip through JavaScript for each, which dominated reading a report's
/// answers from their objects.
pub async fn read_json<T: serde::de::DeserializeOwned>(response: Response) -> ApiResult<T> {
    let response = worker::web_sys::Response::from(response);
    let unreadable = |e| ApiError::Internal(format!("an answer could not be read: {e:?}"));
    let read = response.array_buffer().map_err(unreadable)?;
    let buffer = worker::wasm_bindgen_futures::JsFuture::from(read)
        .await
        .map_err(unreadable)?;
    let bytes = worker::js_sys::Uint8Array::new(&buffer).to_vec();
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::Internal(format!("unreadable answer: {e}")))
}

/// The origin of the request's own URL (`http://127.0.0.1:8787`).
pub fn own_origin(req: &Request) -> ApiResult<String> {
    let url = req.url()?;
    Ok(url.origin().ascii_serialization())
}

/// Whether a browser at `origin` may call: the same origin always; others when listed in
/// `_allowed_origins` (`*` = any).
pub fn origin_allowed(origin: &str, own: &str, allowed: &[String]) -> bool {
    origin == own
        || allowed
            .iter()
            .any(|a| a == "*" || a.trim_end_matches('/') == origin)
}

/// Adds the CORS answer headers for a cross-origin caller.
pub fn with_cors(mut response: Response, origin: Option<&str>) -> Response {
    if let Some(origin) = origin {
        let headers = response.headers_mut();
        let _ = headers.set("access-control-allow-origin", origin);
        let _ = headers.set("vary", "Origin");
        let _ = headers.set("access-control-expose-headers", "Retry-After");
    }
    response
}

/// The answer to a CORS preflight of an allowed origin.
pub fn preflight(origin: &str) -> ApiResult<Response> {
    let headers = Headers::new();
    headers.set("access-control-allow-origin", origin)?;
    headers.set(
        "access-control-allow-methods",
        "GET, POST, PUT, DELETE, OPTIONS",
    )?;
    // Other clients' credentials headers are allowed through (and ignored on public routes).
    headers.set(
        "access-control-allow-headers",
        "Content-Type, Idempotency-Key, Authorization, X-API-Key, apikey, gms_user",
    )?;
    headers.set("access-control-max-age", "600")?;
    headers.set("vary", "Origin")?;
    Ok(Response::empty()?.with_status(204).with_headers(headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let allowed = vec!["https://shop.example".to_string()];
        assert!(origin_allowed(
            "http://127.0.0.1:8787",
            "http://127.0.0.1:8787",
            &[]
        ));
        assert!(origin_allowed("https://shop.example", "http://h", &allowed));
        assert!(!origin_allowed(
            "https://evil.example",
            "http://h",
            &allowed
        ));
        assert!(origin_allowed(
            "https://any.example",
            "http://h",
            &["*".to_string()]
        ));
    }

    #[test]
    fn bodies_by_content_type() {
        assert_eq!(
            body_params("application/json; charset=utf-8", r#"{"a":"1"}"#).unwrap()["a"],
            "1"
        );
        assert_eq!(
            body_params("application/x-www-form-urlencoded", "a=1").unwrap()["a"],
            "1"
        );
        assert!(matches!(
            body_params("text/plain", "a=1"),
            Err(ApiError::UnsupportedMediaType)
        ));
        assert!(body_params("", "").unwrap().is_empty());
        assert!(matches!(
            body_params("application/json", "{"),
            Err(ApiError::InvalidParameter(_))
        ));
    }
}
