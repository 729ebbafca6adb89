//! The one protocol between the Worker and the Durable Objects, and between objects: what may be
//! asked of each kind of object, with typed bodies and answers, and how a client's request is
//! forwarded with its route already found. Only this file knows internal paths and headers.
//!
//! An ask is a POST of its JSON to `{origin}/internal`; the answer is always `200` with
//! `Result<answer, ApiError>` as JSON, so an error keeps its kind (a 429 stays a 429, a refusal
//! keeps its alternatives) from one object to the next. `origin` is the public origin, from which
//! a service's object builds records' `_url`.

use crate::agent_object::Profile;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::routes::{AgentAction, ChatOp, Matched};
use callback_shared::params::Params;
use callback_shared::stats::Figures;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use worker::{Env, Headers, Method, Request, RequestInit, Response};

const PATH: &str = "/internal";
/// The object's name (a service's, an agent's): objects cannot read their own name.
const NAME: &str = "x-callback-name";
/// What a name's header value percent-encodes: a name asked for in a query can hold anything, and
/// a header value holds no control character and loses the spaces at its ends (`%`, so that every
/// name decodes back to itself).
const NAME_ENCODED: &AsciiSet = &CONTROLS.add(b' ').add(b'%');
/// A forwarded client request: its route, path parameters and caller.
const ROUTE: &str = "x-callback-route";
/// Origin of internal asks that concern no client (the configuration's pushes).
const NO_ORIGIN: &str = "https://internal";

/// The kinds of object, by their binding in `wrangler.toml`.
#[derive(Debug, Clone, Copy)]
pub enum Object {
    Service,
    Agent,
    Config,
}

impl Object {
    fn binding(self) -> &'static str {
        match self {
            Object::Service => "SERVICES",
            Object::Agent => "AGENTS",
            Object::Config => "CONFIG",
        }
    }
}

/// The configuration's one object.
pub const CONFIG_NAME: &str = "config";

/// What may be asked of a service's object; each variant says what it answers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "ask", rename_all = "kebab-case")]
pub enum ServiceAsk {
    /// The configuration object pushes the configuration: answers its version (`i64`).
    Config(ConfigPush),
    /// A property query (the client's query pairs): `Vec<Record>`.
    Find { query: Vec<(String, String)> },
    /// Callbacks of a time window in some states (the admin query): `Vec<Record>`.
    Queues { query: Params },
    /// How many callbacks wait in queue: `u32`.
    Watermark,
    /// Tests only: move the service's clock `ms` forward and run what is due: `Due`.
    Advance { ms: i64 },
    /// The report of the callbacks created from the first of `starts_ms` to `to_ms`, a row per
    /// bucket start, in `zone`: `ServiceReport`.
    Stats {
        starts_ms: Vec<i64>,
        to_ms: i64,
        zone: String,
        /// Rows as CSV lines rather than JSON.
        csv: bool,
    },
    /// Benchmarks only: a year of synthetic reports' facts, 20 callbacks a day: how many.
    SeedFacts,
    /// Tests only: the SQL ledger compared with the reference one: `LedgerCheck`.
    LedgerCheck,
    /// Cancel these callbacks as an admin: `BulkCancelAnswer`.
    Cancel { ids: Vec<String> },
    /// Completed callbacks with a reason (default: both cancel reasons): `Vec<Record>`.
    Report { reason: Option<String> },
    /// The right to be forgotten, in this service: `Erased`.
    Erase { customer_number: String },
    /// A request-access service holds an access number: `Hold`.
    Hold(Params),
    /// A request-access service releases a hold while it is still the holder's: `u32` released.
    Release(Hold),
    /// A request-access service finds and releases the hold of an incoming call: the hold's
    /// `_id`, `_data_id` and user data (`Params`).
    Match(Params),
    /// The call of a user-originated callback arrived: the callback's new `State`.
    Arrived { id: String },
    /// An agent of this service is ready or not: `()`.
    AgentReady {
        agent: String,
        ready: bool,
        /// The name the agent goes by in chats.
        name: String,
    },
    /// The agent was removed or no longer serves this service: what they held goes back: `()`.
    AgentGone { agent: String },
    /// The agent's reservation, or the next callback reserved for them (only a chat when they
    /// hold `chats` already): `Option<AgentOffer>`.
    Reserve {
        agent: String,
        #[serde(default)]
        chats: u32,
    },
    /// The agent's callback `id` as they see it, if it is still theirs: `Option<AgentOffer>`.
    Held { agent: String, id: String },
    /// One of the agent's acts on their callback: the callback's `Record`.
    AgentAct {
        agent: String,
        id: String,
        action: AgentAction,
        params: Params,
    },
    /// The agent's act in their chat `id`: `ChatAnswer`.
    AgentChat {
        agent: String,
        id: String,
        op: ChatOp,
        params: Params,
    },
}

/// What may be asked of an agent's object.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "ask", rename_all = "kebab-case")]
pub enum AgentAsk {
    /// The agent's new profile, or none (deleted): `()`.
    Profile { profile: Option<Profile> },
    /// The agent as the admin API shows them: `AgentAnswer`.
    Status,
    /// Something may concern the agent: re-read the reservation soon: `()`.
    Sync,
}

/// What may be asked of the configuration's object.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "ask", rename_all = "kebab-case")]
pub enum ConfigAsk {
    /// The services answers across services need: `Services`.
    Services,
}

/// What the configuration object pushes to a service's object.
#[derive(Debug, Serialize, Deserialize)]
pub struct ConfigPush {
    pub service: String,
    pub version: i64,
    pub sections: BTreeMap<String, BTreeMap<String, String>>,
}

/// Services as the front needs them for answers across services.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Services {
    pub callback: Vec<String>,
    pub access: Vec<String>,
}

/// An access number held for a call: what the customer dials, and what releases it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Hold {
    /// The holder: a callback's id, or the hold's own.
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "_access_number")]
    pub number: String,
    /// Empty when the service gives no codes.
    #[serde(
        rename = "_access_code",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub code: String,
    #[serde(
        rename = "_expiration_time",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub expires: String,
}

/// What a service answers for a report: its rows already written as the answer has them, which
/// travel as they are and the Worker puts together without reading them (a year of a hundred
/// services is 36,500 rows, 14 MB), and its totals.
#[derive(Debug, Serialize, Deserialize)]
pub struct ServiceReport {
    /// A JSON array of rows, or a JSON string of CSV lines.
    pub rows: Box<RawValue>,
    pub totals: Figures,
}

/// Asks an object; answers what it answered, errors with their kind.
pub async fn ask<A: DeserializeOwned>(
    env: &Env,
    object: Object,
    name: &str,
    origin: Option<&str>,
    ask: &impl Serialize,
) -> ApiResult<A> {
    let body = serde_json::to_string(ask).map_err(|e| ApiError::Internal(e.to_string()))?;
    let headers = Headers::new();
    set_name(&headers, name)?;
    headers.set("content-type", "application/json")?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let url = format!("{}{PATH}", origin.unwrap_or(NO_ORIGIN));
    let request = Request::new_with_init(&url, &init)?;
    let response = stub(env, object, name)?.fetch_with_request(request).await?;
    let answer: Result<A, ApiError> = http::read_json(response)
        .await
        .map_err(|e| ApiError::Internal(format!("{name}: {e}")))?;
    answer
}

/// Asks a service's object.
pub async fn ask_service<A: DeserializeOwned>(
    env: &Env,
    service: &str,
    origin: &str,
    ask: &ServiceAsk,
) -> ApiResult<A> {
    self::ask(env, Object::Service, service, Some(origin), ask).await
}

/// Asks an agent's object.
pub async fn ask_agent<A: DeserializeOwned>(
    env: &Env,
    agent: &str,
    ask: &AgentAsk,
) -> ApiResult<A> {
    self::ask(env, Object::Agent, agent, None, ask).await
}

/// Asks the configuration's object.
pub async fn ask_config<A: DeserializeOwned>(env: &Env, ask: &ConfigAsk) -> ApiResult<A> {
    self::ask(env, Object::Config, CONFIG_NAME, None, ask).await
}

fn stub(env: &Env, object: Object, name: &str) -> ApiResult<worker::Stub> {
    Ok(env
        .durable_object(object.binding())?
        .id_from_name(name)?
        .get_stub()?)
}

/// How an ask is answered: `200` and the result, errors included.
fn answer<T: Serialize>(result: ApiResult<T>) -> Response {
    http::json(&result).unwrap_or_else(ApiError::into_response)
}

/// Headers a service's object may read from the client's request.
const PASSED_HEADERS: [&str; 9] = [
    // A WebSocket's upgrade: the object that accepts the socket answers it.
    "upgrade",
    "content-type",
    "origin",
    "idempotency-key",
    "cf-connecting-ip",
    "authorization",
    "accept",
    crate::signing::HEADER,
    "x-twilio-signature",
];

/// A client's request as the front forwards it: the route it found, and who calls.
#[derive(Debug, Serialize, Deserialize)]
struct Route {
    matched: Matched,
    caller: Caller,
}

/// Forwards a client's request (already read: `body`) to the object `name` that answers it.
pub async fn forward(
    env: &Env,
    object: Object,
    name: &str,
    req: &Request,
    body: Option<String>,
    matched: &Matched,
    caller: Caller,
) -> ApiResult<Response> {
    let headers = Headers::new();
    for header in PASSED_HEADERS {
        if let Some(value) = http::header(req, header) {
            headers.set(header, &value)?;
        }
    }
    set_name(&headers, name)?;
    let route = Route {
        matched: matched.clone(),
        caller,
    };
    let route = serde_json::to_string(&route).map_err(|e| ApiError::Internal(e.to_string()))?;
    headers.set(ROUTE, &route)?;
    let mut init = RequestInit::new();
    init.with_method(req.method())
        .with_headers(headers)
        .with_body(body.map(Into::into));
    let request = Request::new_with_init(req.url()?.as_str(), &init)?;
    Ok(stub(env, object, name)?.fetch_with_request(request).await?)
}

/// What an object received: an ask, or a client's forwarded request.
enum Incoming<A> {
    Ask(A),
    Client { matched: Matched, caller: Caller },
}

/// How an object answers what it received: an ask with its result in the envelope (errors
/// included), a client's forwarded request with the response itself (errors as HTTP answers).
pub async fn respond<A: DeserializeOwned, T: Serialize>(
    mut req: Request,
    ask: impl AsyncFnOnce(A, &Request) -> ApiResult<T>,
    client: impl AsyncFnOnce(Request, Matched, Caller) -> ApiResult<Response>,
) -> worker::Result<Response> {
    Ok(match receive::<A>(&mut req).await {
        Ok(Incoming::Ask(asked)) => answer(ask(asked, &req).await),
        Ok(Incoming::Client { matched, caller }) => client(req, matched, caller)
            .await
            .unwrap_or_else(ApiError::into_response),
        Err(e) => e.into_response(),
    })
}

/// Reads what an object received. An ask's body is read here; a client's request keeps its body.
async fn receive<A: DeserializeOwned>(req: &mut Request) -> ApiResult<Incoming<A>> {
    if req.path() == PATH {
        let body = self::body(req).await?;
        let ask = serde_json::from_str(&body)
            .map_err(|e| ApiError::Internal(format!("unreadable ask: {e}")))?;
        return Ok(Incoming::Ask(ask));
    }
    let text = http::header(req, ROUTE).ok_or_else(|| ApiError::NotFound(req.path()))?;
    let route: Route = serde_json::from_str(&text)
        .map_err(|e| ApiError::Internal(format!("unreadable route: {e}")))?;
    Ok(Incoming::Client {
        matched: route.matched,
        caller: route.caller,
    })
}

/// The body of a request the Worker forwarded, or of an ask: the Worker read the client's body
/// within its limit and as UTF-8 already, so it is taken in one call.
pub async fn body(req: &mut Request) -> ApiResult<String> {
    Ok(req.text().await?)
}

/// The parameters of a request the Worker forwarded: a `GET`'s query, else its body (JSON or form).
pub async fn params(req: &mut Request) -> ApiResult<Params> {
    if req.method() == Method::Get {
        return http::query_params(req);
    }
    let body = body(req).await?;
    http::body_params(&http::content_type(req), &body)
}

fn set_name(headers: &Headers, name: &str) -> ApiResult<()> {
    Ok(headers.set(NAME, &encoded_name(name))?)
}

fn encoded_name(name: &str) -> String {
    utf8_percent_encode(name, NAME_ENCODED).to_string()
}

fn decoded_name(value: &str) -> String {
    percent_decode_str(value).decode_utf8_lossy().into_owned()
}

/// The name of the object a request was sent to.
pub fn name(req: &Request) -> String {
    http::header(req, NAME)
        .map(|v| decoded_name(&v))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_name_travels_in_a_header_and_comes_back_whole(name in any::<String>()) {
            let value = encoded_name(&name);
            prop_assert!(value.bytes().all(|b| b.is_ascii_graphic()), "{value:?}");
            prop_assert_eq!(decoded_name(&value), name);
        }
    }

    #[test]
    fn a_service_name_travels_as_it_is() {
        assert_eq!(encoded_name("callback-web_2.fr"), "callback-web_2.fr");
        assert_eq!(encoded_name("\0 %"), "%00%20%25");
    }
}
