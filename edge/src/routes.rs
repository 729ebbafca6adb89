//! The API's routes: one table, read by the parser (the Worker to authenticate and forward, the
//! Durable Objects to act) and by the OpenAPI document, so the two cannot disagree.

use crate::error::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a route does, grouped by who answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// A service's object answers (a callback service's, or a builtin one's).
    Service(ServiceRoute),
    /// The Worker assembles the answer from every service.
    Across(AcrossRoute),
    /// The configuration's object answers.
    Config(ConfigRoute),
    /// The agent's object answers.
    Agent(AgentRoute),
    /// The Worker answers from the route table.
    OpenApi,
    /// The Worker answers from the option catalogue.
    Templates,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ServiceRoute {
    Create,
    /// `GET /genesys/1/service/callback?_id=…`, sent by the Worker to the id's service.
    ById,
    Find,
    Get,
    Update,
    Cancel,
    Events,
    DialResult,
    /// A telephony provider asks what an answered call does.
    CallAnswer,
    /// A telephony provider reports a call's progress.
    CallStatus,
    /// A telephony provider passes on a text the customer sent (STOP, START).
    TextReceived,
    /// A call to the service's own number, and the keys its caller presses (`step`: where they
    /// are in the menu).
    IncomingCall,
    /// A call to the service's own number ended (the caller hung up).
    IncomingStatus,
    AvailabilityV1,
    AvailabilityV2,
    QueuePosition,
    Offer,
    Confirm,
    /// The customer's side of a chat (GMS Chat API v1).
    Chat(ChatOp),
    /// An agent's socket to their chat, forwarded by their object once their token is checked;
    /// never in the table: no client reaches it.
    AgentSocket,
    /// An office-hours or capacity service.
    BuiltinGet,
    /// A request-access or match-interaction service.
    BuiltinPost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AcrossRoute {
    /// By `_id` (then the id's service answers) or by properties.
    Find,
    Queues,
    Watermarks,
    Cancel,
    Report,
    Stats,
    Erase,
    /// Every agent, with their status from their objects.
    Agents,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConfigRoute {
    All,
    Get,
    Put,
    Delete,
    /// The agents as configured (the Worker adds their status).
    Agents,
    AgentGet,
    AgentPut,
    AgentDelete,
    /// The whole configuration at once (configuration as code): read, planned, applied.
    Document,
    Plan,
    Apply,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AgentRoute {
    Ready,
    NotReady,
    Offer,
    Act(AgentAction),
    Chat(ChatOp),
}

/// What a party does in a chat, by either side's routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChatOp {
    Join,
    Send,
    /// Read the transcript from a position.
    Read,
    Typing(bool),
    Leave,
    /// Open a WebSocket on the chat.
    Socket,
}

/// An agent's act on their callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgentAction {
    Accept,
    Reject,
    DialResult,
    Connected,
    End,
    Disposition,
    Reschedule,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    /// Anyone (browsers: CORS and per-IP rate limits apply); an id is the capability for one callback.
    Public,
    /// Admin Basic credentials or the server API key (`X-API-Key`).
    Server,
    /// Admin Basic credentials.
    Admin,
    /// An agent's bearer token.
    Agent,
}

#[derive(Debug)]
pub struct Spec {
    pub method: &'static str,
    pub path: &'static str,
    pub kind: Kind,
    pub access: Access,
    pub summary: &'static str,
    pub query: &'static [&'static str],
}

const AVAILABILITY_QUERY: &[&str] = &["start", "end", "number-of-days", "max-time-slots"];

pub const ROUTES: &[Spec] = &[
    Spec { method: "POST", path: "/genesys/1/service/callback/{service}", kind: Kind::Service(ServiceRoute::Create), access: Access::Public, summary: "Create a callback: immediate (no _desired_time) or scheduled", query: &[] },
    Spec { method: "GET", path: "/genesys/1/service/callback", kind: Kind::Across(AcrossRoute::Find), access: Access::Public, summary: "Get callbacks by _id (public), or query by properties across services (server credentials)", query: &["_id", "operand"] },
    Spec { method: "GET", path: "/genesys/1/service/callback/{service}", kind: Kind::Service(ServiceRoute::Find), access: Access::Server, summary: "Query callbacks of a service by properties (AND/OR, !negation)", query: &["operand"] },
    Spec { method: "GET", path: "/genesys/1/service/callback/{service}/{id}", kind: Kind::Service(ServiceRoute::Get), access: Access::Public, summary: "One callback as an object", query: &[] },
    Spec { method: "PUT", path: "/genesys/1/service/callback/{service}/{id}", kind: Kind::Service(ServiceRoute::Update), access: Access::Public, summary: "Reschedule (_new_desired_time) and/or update properties", query: &[] },
    Spec { method: "DELETE", path: "/genesys/1/service/callback/{service}/{id}", kind: Kind::Service(ServiceRoute::Cancel), access: Access::Public, summary: "Cancel a callback", query: &["discard_ors_failure"] },
    Spec { method: "GET", path: "/genesys/1/service/callback/{service}/{id}/events", kind: Kind::Service(ServiceRoute::Events), access: Access::Public, summary: "Event history of a callback, oldest first", query: &[] },
    Spec {
        method: "POST",
        path: "/genesys/1/service/callback/{service}/{id}/dial-result",
        kind: Kind::Service(ServiceRoute::DialResult),
        access: Access::Public,
        summary: "The dialer's result of a dial: {\"outcome\": \"ANSWERED|ANSWERING_MACHINE|NO_ANSWER|BUSY|INVALID_NUMBER|FAILED\"}, signed (X-Callback-Signature)",
        query: &[],
    },
    Spec { method: "POST", path: "/genesys/1/telephony/twilio/{service}/{id}/answer", kind: Kind::Service(ServiceRoute::CallAnswer), access: Access::Public, summary: "Twilio asks what an answered call does (TwiML); signed (X-Twilio-Signature)", query: &["attempt", "leg"] },
    Spec { method: "POST", path: "/genesys/1/telephony/twilio/{service}/incoming", kind: Kind::Service(ServiceRoute::IncomingCall), access: Access::Public, summary: "The voice webhook of the service's Twilio number (_twilio_inbound): callers wait in the queue and may choose a callback; the menu's keys come back here (TwiML); signed (X-Twilio-Signature)", query: &["step", "tries", "number", "at", "offered"] },
    Spec { method: "POST", path: "/genesys/1/telephony/twilio/{service}/incoming/status", kind: Kind::Service(ServiceRoute::IncomingStatus), access: Access::Public, summary: "The status callback of the service's Twilio number: a caller who hangs up while waiting leaves no callback (counted as abandoned); signed (X-Twilio-Signature)", query: &[] },
    Spec { method: "POST", path: "/genesys/1/telephony/twilio/{service}/sms", kind: Kind::Service(ServiceRoute::TextReceived), access: Access::Public, summary: "Twilio passes on a text a customer sent to the service's number (STOP opts out of texts, START back in); signed (X-Twilio-Signature)", query: &[] },
    Spec { method: "POST", path: "/genesys/1/telephony/twilio/{service}/{id}/status", kind: Kind::Service(ServiceRoute::CallStatus), access: Access::Public, summary: "Twilio reports a call's progress; signed (X-Twilio-Signature)", query: &["attempt", "leg"] },
    Spec { method: "GET", path: "/genesys/1/service/callback/{service}/availability", kind: Kind::Service(ServiceRoute::AvailabilityV1), access: Access::Public, summary: "Availability v1: bucket start -> remaining", query: AVAILABILITY_QUERY },
    Spec {
        method: "GET",
        path: "/genesys/2/service/callback/{service}/availability",
        kind: Kind::Service(ServiceRoute::AvailabilityV2),
        access: Access::Public,
        summary: "Availability v2: slots with local times",
        query: &["start", "end", "start-ms", "end-ms", "number-of-days", "max-time-slots", "timezone", "report-busy"],
    },
    Spec {
        method: "GET",
        path: "/genesys/1/service/callback/{service}/offer",
        kind: Kind::Service(ServiceRoute::Offer),
        access: Access::Public,
        summary: "IVR Classic: whether to offer a callback (office open, estimated wait over the threshold)",
        query: &["_customer_number"],
    },
    Spec { method: "POST", path: "/genesys/1/service/{id}/ixn/chat", kind: Kind::Service(ServiceRoute::Chat(ChatOp::Join)), access: Access::Public, summary: "Chat API v1: the customer joins their chat callback's chat (firstName, lastName, email, subject, userDisplayName)", query: &[] },
    Spec { method: "POST", path: "/genesys/1/service/{id}/ixn/chat/send", kind: Kind::Service(ServiceRoute::Chat(ChatOp::Send)), access: Access::Public, summary: "Chat API v1: send a message (message, at most 4,000 characters)", query: &[] },
    Spec { method: "POST", path: "/genesys/1/service/{id}/ixn/chat/refresh", kind: Kind::Service(ServiceRoute::Chat(ChatOp::Read)), access: Access::Public, summary: "Chat API v1: the transcript from transcriptPosition (default 1)", query: &[] },
    Spec { method: "POST", path: "/genesys/1/service/{id}/ixn/chat/startTyping", kind: Kind::Service(ServiceRoute::Chat(ChatOp::Typing(true))), access: Access::Public, summary: "Chat API v1: the customer is typing", query: &[] },
    Spec { method: "POST", path: "/genesys/1/service/{id}/ixn/chat/stopTyping", kind: Kind::Service(ServiceRoute::Chat(ChatOp::Typing(false))), access: Access::Public, summary: "Chat API v1: the customer stopped typing", query: &[] },
    Spec { method: "POST", path: "/genesys/1/service/{id}/ixn/chat/disconnect", kind: Kind::Service(ServiceRoute::Chat(ChatOp::Leave)), access: Access::Public, summary: "Chat API v1: the customer leaves (before an agent joined, the callback is cancelled)", query: &[] },
    Spec { method: "GET", path: "/genesys/1/service/{id}/ixn/chat/ws", kind: Kind::Service(ServiceRoute::Chat(ChatOp::Socket)), access: Access::Public, summary: "The chat's WebSocket (_comet_url): {\"type\": \"message\"|\"typing\"|\"leave\", \"text\"} in, Chat API answers out", query: &["transcriptPosition"] },
    Spec { method: "GET", path: "/genesys/1/service/{id}/check-queue-position", kind: Kind::Service(ServiceRoute::QueuePosition), access: Access::Public, summary: "Position and estimated wait of a queued callback", query: &[] },
    Spec { method: "GET", path: "/genesys/1/service/{service}", kind: Kind::Service(ServiceRoute::BuiltinGet), access: Access::Public, summary: "Office-hours service (open periods) or capacity service (slots)", query: &["start", "end", "number-of-days", "timezone"] },
    Spec {
        method: "POST",
        path: "/genesys/1/service/{service}",
        kind: Kind::Service(ServiceRoute::BuiltinPost),
        // Called by IVRs and servers, never by browsers: a match answers a customer's data.
        access: Access::Server,
        summary: "request-access service (hold an access number for _ttl s) or match-interaction service (find and release the hold of a call)",
        query: &[],
    },
    Spec { method: "GET", path: "/genesys/1/admin/callback/queues", kind: Kind::Across(AcrossRoute::Queues), access: Access::Admin, summary: "Callbacks per service in a time window", query: &["target", "states", "start_time", "end_time", "max"] },
    Spec { method: "GET", path: "/genesys/1/admin/callback/watermarks", kind: Kind::Across(AcrossRoute::Watermarks), access: Access::Admin, summary: "Callbacks in queue per service", query: &["service_name"] },
    Spec { method: "POST", path: "/genesys/1/admin/callback/cancel", kind: Kind::Across(AcrossRoute::Cancel), access: Access::Admin, summary: "Bulk cancel with a reason", query: &[] },
    Spec { method: "GET", path: "/genesys/1/admin/callback/stats", kind: Kind::Across(AcrossRoute::Stats), access: Access::Admin, summary: "Figures per service and day or hour of creation: requested, connected, failed by reason, dials, waits, promises kept (JSON, or CSV with Accept: text/csv or format=csv)", query: &["service_name", "from", "to", "bucket", "timezone", "format"] },
    Spec { method: "POST", path: "/genesys/1/admin/callback/reportcancelled", kind: Kind::Across(AcrossRoute::Report), access: Access::Admin, summary: "CSV of cancelled callbacks", query: &[] },
    Spec {
        method: "POST",
        path: "/genesys/1/admin/callback/erase",
        kind: Kind::Across(AcrossRoute::Erase),
        access: Access::Admin,
        summary: "Erase everything stored about one customer number, in every service (right to be forgotten)",
        query: &[],
    },
    Spec { method: "GET", path: "/genesys/1/admin/config", kind: Kind::Config(ConfigRoute::All), access: Access::Admin, summary: "Every configuration section", query: &[] },
    Spec { method: "GET", path: "/genesys/1/admin/config/{section}", kind: Kind::Config(ConfigRoute::Get), access: Access::Admin, summary: "One configuration section", query: &[] },
    Spec { method: "PUT", path: "/genesys/1/admin/config/{section}", kind: Kind::Config(ConfigRoute::Put), access: Access::Admin, summary: "Create or replace a section (validated; errors name the option)", query: &[] },
    Spec { method: "DELETE", path: "/genesys/1/admin/config/{section}", kind: Kind::Config(ConfigRoute::Delete), access: Access::Admin, summary: "Delete a section", query: &[] },
    Spec { method: "GET", path: "/genesys/1/admin/templates", kind: Kind::Templates, access: Access::Admin, summary: "The service templates (each with its options: meaning, default, allowed values) and the callback template's presets", query: &[] },
    Spec { method: "GET", path: "/genesys/1/admin/configuration", kind: Kind::Config(ConfigRoute::Document), access: Access::Admin, summary: "The whole configuration: {\"version\", \"sections\", \"agents\"} (agents' names and services, never tokens)", query: &[] },
    Spec { method: "POST", path: "/genesys/1/admin/configuration/plan", kind: Kind::Config(ConfigRoute::Plan), access: Access::Admin, summary: "What applying a whole configuration would change, validated: every problem names its section and option; nothing changes", query: &[] },
    Spec { method: "PUT", path: "/genesys/1/admin/configuration", kind: Kind::Config(ConfigRoute::Apply), access: Access::Admin, summary: "Replace the whole configuration: every change lands or none; refused (409) if \"version\" is given and the live one moved since", query: &[] },
    Spec {
        method: "POST",
        path: "/genesys/1/service/callback/{service}/{id}/confirm",
        kind: Kind::Service(ServiceRoute::Confirm),
        access: Access::Public,
        summary: "The customer confirms they are ready to be called (customer confirmation scenarios)",
        query: &[],
    },
    Spec { method: "GET", path: "/genesys/1/admin/agents", kind: Kind::Across(AcrossRoute::Agents), access: Access::Admin, summary: "Every agent, whether ready and the callback reserved for them", query: &[] },
    Spec { method: "GET", path: "/genesys/1/admin/agents/{agent}", kind: Kind::Config(ConfigRoute::AgentGet), access: Access::Admin, summary: "One agent", query: &[] },
    Spec {
        method: "PUT",
        path: "/genesys/1/admin/agents/{agent}",
        kind: Kind::Config(ConfigRoute::AgentPut),
        access: Access::Admin,
        summary: "Create or change an agent: {\"name\", \"services\": [...], \"rotate_token\": false}; a new agent (or rotate_token) gets its bearer token in the answer, once",
        query: &[],
    },
    Spec { method: "DELETE", path: "/genesys/1/admin/agents/{agent}", kind: Kind::Config(ConfigRoute::AgentDelete), access: Access::Admin, summary: "Delete an agent (its token stops working)", query: &[] },
    Spec { method: "POST", path: "/genesys/1/agent/ready", kind: Kind::Agent(AgentRoute::Ready), access: Access::Agent, summary: "The agent is ready: callbacks of their services are reserved for them", query: &[] },
    Spec { method: "POST", path: "/genesys/1/agent/not-ready", kind: Kind::Agent(AgentRoute::NotReady), access: Access::Agent, summary: "The agent is not ready (a reservation held goes on)", query: &[] },
    Spec {
        method: "GET",
        path: "/genesys/1/agent/offer",
        kind: Kind::Agent(AgentRoute::Offer),
        access: Access::Agent,
        summary: "The agent's status and current offer or reservation; with Accept: text/event-stream, a server-sent event stream of it",
        query: &[],
    },
    Spec { method: "POST", path: "/genesys/1/agent/offer/{id}/accept", kind: Kind::Agent(AgentRoute::Act(AgentAction::Accept)), access: Access::Agent, summary: "Accept a previewed callback", query: &[] },
    Spec { method: "POST", path: "/genesys/1/agent/offer/{id}/reject", kind: Kind::Agent(AgentRoute::Act(AgentAction::Reject)), access: Access::Agent, summary: "Reject a previewed callback (it goes back to its place in queue)", query: &[] },
    Spec {
        method: "POST",
        path: "/genesys/1/agent/callbacks/{id}/dial-result",
        kind: Kind::Agent(AgentRoute::Act(AgentAction::DialResult)),
        access: Access::Agent,
        summary: "The outcome of the agent's dial: {\"outcome\": \"ANSWERED|ANSWERING_MACHINE|NO_ANSWER|BUSY|INVALID_NUMBER|FAILED\"}",
        query: &[],
    },
    Spec { method: "POST", path: "/genesys/1/agent/callbacks/{id}/connected", kind: Kind::Agent(AgentRoute::Act(AgentAction::Connected)), access: Access::Agent, summary: "The agent and the customer are talking", query: &[] },
    Spec { method: "POST", path: "/genesys/1/agent/callbacks/{id}/end", kind: Kind::Agent(AgentRoute::Act(AgentAction::End)), access: Access::Agent, summary: "The call ended (then the disposition, when the service asks for one)", query: &[] },
    Spec {
        method: "POST",
        path: "/genesys/1/agent/callbacks/{id}/disposition",
        kind: Kind::Agent(AgentRoute::Act(AgentAction::Disposition)),
        access: Access::Agent,
        summary: "Record the call's disposition: {\"code\": \"SALE\", \"note\": \"...\"}; completes the callback",
        query: &[],
    },
    Spec {
        method: "POST",
        path: "/genesys/1/agent/callbacks/{id}/reschedule",
        kind: Kind::Agent(AgentRoute::Act(AgentAction::Reschedule)),
        access: Access::Agent,
        summary: "Move the callback to another time within the service's policy: {\"_new_desired_time\": \"...\"}",
        query: &[],
    },
    Spec { method: "GET", path: "/genesys/1/agent/chats/{id}", kind: Kind::Agent(AgentRoute::Chat(ChatOp::Read)), access: Access::Agent, summary: "The agent's chat: its transcript from ?from= (default 1), in Chat API form", query: &["from"] },
    Spec { method: "POST", path: "/genesys/1/agent/chats/{id}/send", kind: Kind::Agent(AgentRoute::Chat(ChatOp::Send)), access: Access::Agent, summary: "Send a message in the agent's chat: {\"text\": \"...\"}", query: &[] },
    Spec { method: "POST", path: "/genesys/1/agent/chats/{id}/typing", kind: Kind::Agent(AgentRoute::Chat(ChatOp::Typing(true))), access: Access::Agent, summary: "The agent is typing ({\"text\": \"stopped\"}: no longer)", query: &[] },
    Spec { method: "POST", path: "/genesys/1/agent/chats/{id}/end", kind: Kind::Agent(AgentRoute::Chat(ChatOp::Leave)), access: Access::Agent, summary: "End the chat (COMPLETED, AGENT_CONNECTED; then the disposition when the service asks for one)", query: &[] },
    Spec { method: "GET", path: "/genesys/1/agent/chats/{id}/ws", kind: Kind::Agent(AgentRoute::Chat(ChatOp::Socket)), access: Access::Agent, summary: "The agent's WebSocket on their chat (browsers give the token as ?access_token=)", query: &["from", "access_token"] },
    Spec { method: "GET", path: "/openapi.json", kind: Kind::OpenApi, access: Access::Public, summary: "This API's OpenAPI 3.1 document", query: &[] },
];

/// A matched route and its path parameters; the Worker forwards it to the object that answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Matched {
    pub kind: Kind,
    pub access: Access,
    pub params: BTreeMap<String, String>,
}

impl Matched {
    fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or("")
    }

    /// The `{service}` segment, when it is a possible service name.
    pub fn service(&self) -> ApiResult<String> {
        let name = self.param("service");
        if callback_shared::config::valid_service_name(name) {
            Ok(name.to_string())
        } else {
            Err(ApiError::UnknownService(name.chars().take(100).collect()))
        }
    }

    /// The `{id}` segment, when it is a well-formed id.
    pub fn id(&self) -> ApiResult<crate::ids::CallbackId> {
        crate::ids::CallbackId::parse(self.param("id"))
            .ok_or_else(|| ApiError::UnknownCallback(self.param("id").chars().take(100).collect()))
    }

    pub fn section(&self) -> &str {
        self.param("section")
    }

    /// The `{agent}` segment, when it is a possible agent id.
    pub fn agent(&self) -> ApiResult<String> {
        let id = self.param("agent");
        if callback_shared::config::valid_service_name(id) {
            Ok(id.to_string())
        } else {
            Err(ApiError::UnknownAgent(id.chars().take(100).collect()))
        }
    }
}

/// Finds the route of a request. Of several templates that fit, the one with most literal
/// segments wins (`.../{service}/availability` over `.../{service}/{id}`).
pub fn find(method: &str, path: &str) -> ApiResult<Matched> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let mut best: Option<(usize, Matched)> = None;
    let mut path_known = false;
    for spec in ROUTES {
        let Some((literals, params)) = fit(spec.path, &segments) else {
            continue;
        };
        path_known = true;
        // A CORS preflight asks about any method of the path.
        if spec.method != method && method != "OPTIONS" {
            continue;
        }
        if best.as_ref().is_none_or(|(l, _)| literals > *l) {
            best = Some((
                literals,
                Matched {
                    kind: spec.kind,
                    access: spec.access,
                    params,
                },
            ));
        }
    }
    match best {
        Some((_, m)) => Ok(m),
        None if path_known => Err(ApiError::MethodNotAllowed(method.to_string())),
        None => Err(ApiError::NotFound(path.chars().take(200).collect())),
    }
}

fn fit(template: &'static str, segments: &[&str]) -> Option<(usize, BTreeMap<String, String>)> {
    let parts: Vec<&'static str> = template.split('/').skip(1).collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut literals = 0usize;
    let mut params = BTreeMap::new();
    for (part, segment) in parts.iter().zip(segments) {
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) if !segment.is_empty() => {
                params.insert(name.to_string(), segment.to_string());
            }
            Some(_) => return None,
            None if part == segment => literals = literals.saturating_add(1),
            None => return None,
        }
    }
    Some((literals, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(template: &str) -> String {
        template
            .replace("{service}", "callback-web")
            .replace("{agent}", "anna")
            .replace("{id}", "callback-web~AAAAAAAAAAAAAAAAAAAAAA")
            .replace("{section}", "service.callback-web")
    }

    #[test]
    fn every_route_in_the_table_is_reached_by_its_own_template() {
        for spec in ROUTES {
            let matched = find(spec.method, &example(spec.path))
                .unwrap_or_else(|e| panic!("{} {}: {e}", spec.method, spec.path));
            assert_eq!(matched.kind, spec.kind, "{} {}", spec.method, spec.path);
        }
    }

    #[test]
    fn literal_segments_win_and_methods_are_checked() {
        assert_eq!(
            find("GET", "/genesys/1/service/callback/cb/availability")
                .unwrap()
                .kind,
            Kind::Service(ServiceRoute::AvailabilityV1)
        );
        assert_eq!(
            find("GET", "/genesys/1/service/callback/cb/x~y")
                .unwrap()
                .kind,
            Kind::Service(ServiceRoute::Get)
        );
        assert_eq!(
            find("GET", "/genesys/1/service/callback").unwrap().kind,
            Kind::Across(AcrossRoute::Find)
        );
        assert!(matches!(
            find("PATCH", "/genesys/1/service/callback/cb"),
            Err(ApiError::MethodNotAllowed(_))
        ));
        assert!(matches!(
            find("GET", "/genesys/1/nowhere"),
            Err(ApiError::NotFound(_))
        ));
        assert!(matches!(
            find("GET", "/genesys/1/service/callback//x"),
            Err(ApiError::NotFound(_))
        ));
    }

    #[test]
    fn odd_names_and_ids_are_unknown() {
        let m = find("GET", "/genesys/1/service/callback/..%2F/x").unwrap();
        assert!(matches!(m.service(), Err(ApiError::UnknownService(_))));
        let m = find("GET", "/genesys/1/service/callback/cb/..%2Fetc").unwrap();
        assert!(matches!(m.id(), Err(ApiError::UnknownCallback(_))));
    }
}
