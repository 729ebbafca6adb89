//! Calls to the API with the console's credentials: an agent's bearer token or admin Basic
//! credentials. Answers are read into `shared`'s wire types.

use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// An agent's token.
    Bearer(String),
    /// Admin `user:password`.
    Basic(String, String),
}

impl Auth {
    fn header(&self) -> Result<String, String> {
        match self {
            Auth::Bearer(token) => Ok(format!("Bearer {}", token.trim())),
            Auth::Basic(user, password) => {
                let window = web_sys::window().ok_or("no window")?;
                let encoded = window
                    .btoa(&format!("{user}:{password}"))
                    .map_err(|_| "user names and passwords must be Latin-1 text".to_string())?;
                Ok(format!("Basic {encoded}"))
            }
        }
    }
}

/// An error to show: the API's message, or what went wrong on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// 0 when no answer came.
    pub status: u16,
    pub message: String,
}

impl Failure {
    fn local(message: impl Into<String>) -> Failure {
        Failure {
            status: 0,
            message: message.into(),
        }
    }
}

/// Calls `path` (on this origin) and reads the JSON answer as `T`.
pub async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    auth: &Auth,
    body: Option<serde_json::Value>,
) -> Result<T, Failure> {
    let init = RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| Failure::local("headers"))?;
    headers
        .set("authorization", &auth.header().map_err(Failure::local)?)
        .map_err(|_| Failure::local("authorization"))?;
    if let Some(body) = body {
        headers
            .set("content-type", "application/json")
            .map_err(|_| Failure::local("content-type"))?;
        init.set_body(&body.to_string().into());
    }
    init.set_headers(&headers);
    let request =
        Request::new_with_str_and_init(path, &init).map_err(|_| Failure::local("bad request"))?;
    let window = web_sys::window().ok_or_else(|| Failure::local("no window"))?;
    let offline = || Failure::local("The service cannot be reached; check the connection.");
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| offline())?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(|_| offline())?)
        .await
        .map_err(|_| offline())?
        .as_string()
        .unwrap_or_default();
    let status = response.status();
    if !response.ok() {
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(Failure { status, message });
    }
    serde_json::from_str(&text).map_err(|e| Failure {
        status,
        message: format!("unexpected answer: {e}"),
    })
}

// sessionStorage's two calls, bound here rather than through web-sys's `Storage` feature: the console
// builds in one invocation with the widget, whose size that feature would grow. `catch`: a browser
// that refuses storage throws.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = sessionStorage, js_name = setItem)]
    fn session_set(key: &str, value: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = sessionStorage, js_name = getItem)]
    fn session_get(key: &str) -> Result<Option<String>, JsValue>;
}

/// Remembers a value for this browser tab (credentials stay out of persistent storage).
pub fn remember(key: &str, value: &str) {
    let _ = session_set(key, value);
}

pub fn recall(key: &str) -> String {
    session_get(key).ok().flatten().unwrap_or_default()
}
