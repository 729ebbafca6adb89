//! Twilio Programmable Voice and Messaging: its REST API's Calls and Messages resources (our own
//! client on `fetch`), its webhooks' `X-Twilio-Signature`, and TwiML answers. The auth token is the deployment's secret
//! `TWILIO_AUTH_TOKEN`; `TWILIO_API_BASE` points the client elsewhere (a stand-in in tests).

use super::{Call, Incoming, Placed, Report, Sent};
use crate::error::ApiResult;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use callback_shared::config;
use callback_shared::scenario::DialOutcome;
use callback_shared::telephony::{self, CallStatus, Verb};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use worker::{Env, Fetch, Headers, Method, Request, RequestInit, Response, Url};

pub const SIGNATURE: &str = "x-twilio-signature";
const API: &str = "https://api.twilio.com";

pub struct Twilio {
    pub options: config::Twilio,
    token: String,
    api: String,
}

impl Twilio {
    pub fn new(env: &Env, options: &config::Twilio) -> Twilio {
        let read = |name| env.secret(name).map(|s| s.to_string()).unwrap_or_default();
        let api = Some(read("TWILIO_API_BASE")).filter(|a| !a.is_empty());
        Twilio {
            options: options.clone(),
            token: read("TWILIO_AUTH_TOKEN"),
            api: api.unwrap_or_else(|| API.to_string()),
        }
    }

    /// `POST /2010-04-01/Accounts/{sid}/Calls.json`. Twilio has no idempotency key for calls: a
    /// retried dial asks [`Twilio::placed_since`] first.
    pub async fn place(&self, call: &Call) -> Placed {
        let timeout = self.options.ring_timeout.to_string();
        let mut form = vec![
            ("To", call.to.as_str()),
            ("From", &self.options.caller_id),
            ("Url", &call.answer_url),
            ("Method", "POST"),
            ("StatusCallback", &call.status_url),
            ("StatusCallbackMethod", "POST"),
            ("Timeout", &timeout),
        ];
        for event in ["initiated", "ringing", "answered", "completed"] {
            form.push(("StatusCallbackEvent", event));
        }
        if call.detect_machine && self.options.machine_detection {
            form.push(("MachineDetection", "Enable"));
        }
        match self.post("Calls", &form).await {
            Some((200..=299, _)) => Placed::Done,
            Some((status, text)) => refused(status, &text),
            None => Placed::Later,
        }
    }

    /// `GET /2010-04-01/Accounts/{sid}/Calls.json?To=…&From=…` (newest first; not by start time,
    /// which a queued call has not): whether one of the account's calls from our caller id to
    /// `to` was created since `since`.
    pub async fn placed_since(&self, to: &str, since: DateTime<Utc>) -> Option<bool> {
        let query = encode(&[
            ("To", to),
            ("From", &self.options.caller_id),
            ("PageSize", "20"),
        ])?;
        let url = format!("{}?{query}", self.resource("Calls"));
        let (status, text) = self.send(Method::Get, &url, None).await?;
        if !(200..300).contains(&status) {
            worker::console_error!("Twilio answered {status} to a list of calls");
            return None;
        }
        #[derive(serde::Deserialize)]
        struct Page {
            calls: Vec<Listed>,
        }
        #[derive(serde::Deserialize)]
        struct Listed {
            date_created: Option<String>,
        }
        let page: Page = serde_json::from_str(&text).ok()?;
        Some(page.calls.iter().any(|c| {
            c.date_created
                .as_deref()
                .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
                // Twilio's times are to the second.
                .is_some_and(|d| d.timestamp() >= since.timestamp())
        }))
    }

    /// `POST /2010-04-01/Accounts/{sid}/Messages.json`.
    pub async fn send_text(&self, to: &str, body: &str) -> Sent {
        let form = [("To", to), ("From", &self.options.sms_from), ("Body", body)];
        match self.post("Messages", &form).await {
            Some((200..=299, _)) => Sent::Done,
            Some((status, text)) => match (status, error_code(&text)) {
                // Attempt to send to an unsubscribed recipient.
                (400, 21610) => Sent::OptedOut,
                _ if for_later(status) => {
                    worker::console_error!("Twilio answered {status} to a text: it waits");
                    Sent::Later
                }
                _ => {
                    worker::console_error!("Twilio refused a text: {status} {text}");
                    Sent::Failed
                }
            },
            None => Sent::Later,
        }
    }

    /// The URL of one of the account's resources (`Calls`, `Messages`).
    fn resource(&self, name: &str) -> String {
        let sid = &self.options.account_sid;
        format!("{}/2010-04-01/Accounts/{sid}/{name}.json", self.api)
    }

    /// POSTs a form to one of the account's resources.
    async fn post(&self, resource: &str, form: &[(&str, &str)]) -> Option<(u16, String)> {
        let body = encode(form)?;
        self.send(Method::Post, &self.resource(resource), Some(&body))
            .await
    }

    /// One authenticated request to Twilio's API; answers the status and body, or nothing if
    /// Twilio could not be asked (no auth token, unreachable): what waits, waits.
    async fn send(&self, method: Method, url: &str, form: Option<&str>) -> Option<(u16, String)> {
        if self.token.is_empty() {
            worker::console_error!("Twilio: no TWILIO_AUTH_TOKEN secret: calls and texts wait");
            return None;
        }
        let sid = &self.options.account_sid;
        let send = async {
            let headers = Headers::new();
            if form.is_some() {
                headers.set("content-type", "application/x-www-form-urlencoded")?;
            }
            let credentials = BASE64.encode(format!("{sid}:{}", self.token));
            headers.set("authorization", &format!("Basic {credentials}"))?;
            let mut init = RequestInit::new();
            init.with_method(method)
                .with_headers(headers)
                .with_body(form.map(Into::into));
            let signal: worker::AbortSignal = web_sys::AbortSignal::timeout_with_u32(10_000).into();
            let mut response = Fetch::Request(Request::new_with_init(url, &init)?)
                .send_with_signal(&signal)
                .await?;
            let text = response.text().await.unwrap_or_default();
            Ok::<_, worker::Error>((response.status_code(), text))
        };
        match send.await {
            Ok(answer) => Some(answer),
            Err(e) => {
                worker::console_error!("Twilio: {e}: tried again later");
                None
            }
        }
    }

    /// Twilio signs the URL it called and the POST parameters with the auth token (HMAC-SHA1,
    /// base64): without the token nothing verifies.
    pub fn verify(&self, url: &str, signature: Option<&str>, params: &[(String, String)]) -> bool {
        let (Some(signature), false) = (signature, self.token.is_empty()) else {
            return false;
        };
        let Ok(given) = BASE64.decode(signature.trim()) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(self.token.as_bytes()) else {
            return false;
        };
        mac.update(telephony::signed_text(url, params).as_bytes());
        mac.verify_slice(&given).is_ok()
    }

    pub fn report(&self, params: &[(String, String)]) -> Report {
        let get = |name| param(params, name).unwrap_or("");
        Report {
            status: CallStatus::parse(get("CallStatus")),
            machine: telephony::is_machine(get("AnsweredBy")),
            talked: get("CallDuration").parse::<u32>().is_ok_and(|d| d > 0),
        }
    }
}

/// What Twilio's refusal means: a number it will never call is the dial's outcome; credentials,
/// limits and outages are for later (the outbox keeps the call).
fn refused(status: u16, text: &str) -> Placed {
    let code = error_code(text);
    match (status, code) {
        // Invalid 'To', not reachable, not a valid phone number.
        (400, 21211 | 21214 | 21217) => Placed::Refused(DialOutcome::InvalidNumber),
        _ if for_later(status) => {
            worker::console_error!("Twilio answered {status} ({code}): the call waits");
            Placed::Later
        }
        _ => {
            worker::console_error!("Twilio refused the call: {status} {text}");
            Placed::Refused(DialOutcome::Failed)
        }
    }
}

/// Whether Twilio's refusal may pass: credentials or an account to fix, a rate limit, an outage.
fn for_later(status: u16) -> bool {
    matches!(status, 401 | 403 | 404 | 429 | 500..)
}

/// Form parameters, URL-encoded (`application/x-www-form-urlencoded`, as Twilio takes them).
fn encode(pairs: &[(&str, &str)]) -> Option<String> {
    let mut url = Url::parse("https://form.invalid/").ok()?;
    url.query_pairs_mut().extend_pairs(pairs);
    Some(url.query().unwrap_or("").to_string())
}

/// The `code` of Twilio's error answer.
fn error_code(text: &str) -> u64 {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("code").and_then(serde_json::Value::as_u64))
        .unwrap_or(0)
}

/// A call to the number (Twilio's voice webhook, its `<Gather>` actions and its status callback).
pub fn incoming(params: &[(String, String)]) -> Incoming {
    let get = |name| param(params, name).unwrap_or("").to_string();
    Incoming {
        call: get("CallSid"),
        from: get("From"),
        digits: get("Digits"),
        status: CallStatus::parse(&get("CallStatus")),
    }
}

/// An incoming message's sender and text (Twilio's messaging webhook).
pub fn text_received(params: &[(String, String)]) -> Option<(String, String)> {
    let from = param(params, "From")?;
    Some((
        from.to_string(),
        param(params, "Body").unwrap_or("").to_string(),
    ))
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A TwiML document.
pub fn respond(verbs: &[Verb]) -> ApiResult<Response> {
    crate::http::text_response(telephony::twiml(verbs), "text/xml; charset=utf-8", 200)
}
