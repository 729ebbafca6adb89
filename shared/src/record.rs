//! Callback records, states and reasons.

use crate::config::{Direction, FirstParty};
use crate::iso;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// GMS callback states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum State {
    Scheduled,
    Queued,
    Routing,
    Processing,
    Completed,
    Paused,
}

impl State {
    pub const ALL: [State; 6] = [
        State::Scheduled,
        State::Queued,
        State::Routing,
        State::Processing,
        State::Completed,
        State::Paused,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            State::Scheduled => "SCHEDULED",
            State::Queued => "QUEUED",
            State::Routing => "ROUTING",
            State::Processing => "PROCESSING",
            State::Completed => "COMPLETED",
            State::Paused => "PAUSED",
        }
    }

    /// Counted by watermarks: in the queue or further, not yet completed.
    pub fn is_in_queue(&self) -> bool {
        matches!(
            self,
            State::Queued | State::Paused | State::Routing | State::Processing
        )
    }
}

impl FromStr for State {
    type Err = ();
    fn from_str(s: &str) -> Result<State, ()> {
        State::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or(())
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a callback is COMPLETED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Cancelled,
    CancelledByAdmin,
    AgentConnected,
    NotAvailable,
    FailTimeoutTtl,
    FailCallToCustomer,
    FailUserNoConfirm,
    FailAgentConnect,
    AgentPreviewCancelAfterRejects(u32),
    FailNoCustomerNumber,
    SubmitFailed,
    FailError,
    /// **[ext]** A caller of the service's number hung up while waiting, without a callback.
    Abandoned,
}

const SIMPLE_REASONS: [(Reason, &str); 12] = [
    (Reason::Cancelled, "CANCELLED"),
    (Reason::CancelledByAdmin, "CANCELLED_BY_ADMIN"),
    (Reason::AgentConnected, "AGENT_CONNECTED"),
    (Reason::NotAvailable, "NOT_AVAILABLE"),
    (Reason::FailTimeoutTtl, "FAIL_TIMEOUT_TTL"),
    (Reason::FailCallToCustomer, "FAIL_CALL_TO_CUSTOMER"),
    (Reason::FailUserNoConfirm, "FAIL_USER_NO_CONFIRM"),
    (Reason::FailAgentConnect, "FAIL_AGENT_CONNECT"),
    (Reason::FailNoCustomerNumber, "FAIL_NO_CUSTOMER_NUMBER"),
    (Reason::SubmitFailed, "SUBMIT_FAILED"),
    (Reason::FailError, "FAIL_ERROR"),
    (Reason::Abandoned, "ABANDONED"),
];

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::AgentPreviewCancelAfterRejects(n) => {
                write!(f, "AGENT_PREVIEW_CANCEL_AFTER_{n}REJECTS")
            }
            other => f.write_str(
                SIMPLE_REASONS
                    .iter()
                    .find(|(r, _)| r == other)
                    .map(|(_, s)| *s)
                    .unwrap_or("FAIL_ERROR"),
            ),
        }
    }
}

impl FromStr for Reason {
    type Err = ();
    fn from_str(s: &str) -> Result<Reason, ()> {
        let s = s.trim();
        if let Some(n) = s
            .strip_prefix("AGENT_PREVIEW_CANCEL_AFTER_")
            .and_then(|r| r.strip_suffix("REJECTS"))
        {
            return n
                .parse()
                .map(Reason::AgentPreviewCancelAfterRejects)
                .map_err(|_| ());
        }
        SIMPLE_REASONS
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(s))
            .map(|(r, _)| *r)
            .ok_or(())
    }
}

/// The code of a preview cancelled after `n` rejects: the high bit, with `n` below it.
const AFTER_REJECTS: u32 = 1 << 31;

impl Reason {
    /// A number for the reason, never 0, as reports' packed facts keep it.
    pub fn code(self) -> u32 {
        match self {
            Reason::AgentPreviewCancelAfterRejects(n) => AFTER_REJECTS | n.min(AFTER_REJECTS - 1),
            simple => SIMPLE_REASONS
                .iter()
                .zip(1..)
                .find(|((r, _), _)| *r == simple)
                .map_or(0, |(_, code)| code),
        }
    }

    /// The reason of a [`Reason::code`].
    pub fn from_code(code: u32) -> Option<Reason> {
        if code & AFTER_REJECTS != 0 {
            return Some(Reason::AgentPreviewCancelAfterRejects(
                code & !AFTER_REJECTS,
            ));
        }
        let i = usize::try_from(code.checked_sub(1)?).ok()?;
        SIMPLE_REASONS.get(i).map(|(r, _)| *r)
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Reason, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom(format!("unknown reason {text}")))
    }
}

/// Where a callback is in its scenario. The GMS state follows from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Booked for later; becomes Waiting by a timer.
    Scheduled,
    /// In queue, waiting for an agent.
    Waiting,
    /// User-originated immediate: the customer was given an access number; waiting for their call.
    AwaitingCall,
    /// Reserved for an agent who previews it.
    Offered {
        agent: String,
    },
    /// An agent is reserved; the customer is asked to confirm.
    Confirming {
        agent: String,
        attempt: u32,
    },
    /// Between two dial attempts.
    RetryWait,
    /// A call to the customer (or, user-originated, from the customer) is under way.
    Dialing {
        agent: Option<String>,
    },
    /// The customer answered and waits for an agent (customer first, no agent reserved yet).
    AwaitingAgent,
    Connected {
        agent: String,
    },
    /// The call ended; the agent records a disposition.
    Disposition {
        agent: String,
    },
    /// The service is paused.
    Paused,
    Completed {
        reason: Reason,
    },
}

impl Phase {
    pub fn state(&self) -> State {
        match self {
            Phase::Scheduled => State::Scheduled,
            Phase::Waiting
            | Phase::AwaitingCall
            | Phase::Offered { .. }
            | Phase::Confirming { .. }
            | Phase::RetryWait => State::Queued,
            Phase::Dialing { .. } | Phase::AwaitingAgent => State::Routing,
            Phase::Connected { .. } | Phase::Disposition { .. } => State::Processing,
            Phase::Paused => State::Paused,
            Phase::Completed { .. } => State::Completed,
        }
    }

    /// The phase's name as stored and shown (`_phase` **[ext]**): `waiting`, `offered`, `confirming`, …
    pub fn name(&self) -> &'static str {
        match self {
            Phase::Scheduled => "scheduled",
            Phase::Waiting => "waiting",
            Phase::AwaitingCall => "awaiting_call",
            Phase::Offered { .. } => "offered",
            Phase::Confirming { .. } => "confirming",
            Phase::RetryWait => "retry_wait",
            Phase::Dialing { .. } => "dialing",
            Phase::AwaitingAgent => "awaiting_agent",
            Phase::Connected { .. } => "connected",
            Phase::Disposition { .. } => "disposition",
            Phase::Paused => "paused",
            Phase::Completed { .. } => "completed",
        }
    }

    /// Whether the callback waits for an agent to be reserved for it.
    pub fn seeks_agent(&self) -> bool {
        matches!(self, Phase::Waiting | Phase::AwaitingAgent)
    }

    pub fn agent(&self) -> Option<&str> {
        match self {
            Phase::Offered { agent }
            | Phase::Confirming { agent, .. }
            | Phase::Connected { agent }
            | Phase::Disposition { agent } => Some(agent),
            Phase::Dialing { agent } => agent.as_deref(),
            _ => None,
        }
    }

    pub fn reason(&self) -> Option<Reason> {
        match self {
            Phase::Completed { reason } => Some(*reason),
            _ => None,
        }
    }
}

/// The scenario selectors of one callback (service options, possibly overridden by the request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selectors {
    pub direction: Direction,
    pub media_type: String,
    pub wait_for_agent: bool,
    pub wait_for_user_confirm: bool,
    pub first_party: FirstParty,
}

impl Selectors {
    /// A chat with an agent in writing (CHAT.md), rather than a call.
    pub fn is_chat(&self) -> bool {
        self.media_type == "chat"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disposition {
    pub code: String,
    pub note: String,
}

/// The longest disposition code and note an agent may record, in characters.
const MAX_CODE: usize = 100;
const MAX_NOTE: usize = 2000;

impl Disposition {
    /// An agent's disposition: a code (required, trimmed) and a note, each of bounded length.
    pub fn new(code: Option<&str>, note: Option<&str>) -> Result<Disposition, String> {
        let code = code
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .ok_or("code: required")?;
        let note = note.unwrap_or_default();
        if code.chars().count() > MAX_CODE || note.chars().count() > MAX_NOTE {
            return Err(format!(
                "code: at most {MAX_CODE} characters; note: at most {MAX_NOTE}"
            ));
        }
        Ok(Disposition {
            code: code.to_string(),
            note: note.to_string(),
        })
    }
}

/// A callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Callback {
    pub id: String,
    pub service: String,
    pub customer_number: String,
    pub desired_time: DateTime<Utc>,
    /// Start of the bucket it books (scheduled callbacks only).
    pub bucket: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// When the record expires and is purged (desired time + `_ttl`).
    pub expires: DateTime<Utc>,
    pub phase: Phase,
    pub selectors: Selectors,
    /// System parameters kept with the record (`_customer_id`, `_urs_virtual_queue`, …).
    pub system: BTreeMap<String, String>,
    pub user_data: BTreeMap<String, String>,
    pub dial_attempts: u32,
    pub rejects: u32,
    pub disposition: Option<Disposition>,
}

/// The system parameter of a callback that came from a call to the service's number: the call's
/// id with the provider.
pub const IVR_CALL: &str = "_ivr_call_sid";
/// The system parameter of a caller still waiting on the line: "a customer-first callback whose
/// customer is already on the line" (SCENARIOS.md). Nobody dials it; its agent is put through to
/// the call. Gone once the caller chooses to be called back.
pub const ON_THE_LINE: &str = "_ivr_on_the_line";

impl Callback {
    /// Whether the customer is on the line, waiting in the queue (see [`ON_THE_LINE`]).
    pub fn on_the_line(&self) -> bool {
        self.system.contains_key(ON_THE_LINE)
    }

    pub fn state(&self) -> State {
        match self.phase {
            // A chat is routing from the moment an agent is reserved for it, while the agent
            // previews it or the customer is asked to confirm (CHAT.md).
            Phase::Offered { .. } | Phase::Confirming { .. } if self.selectors.is_chat() => {
                State::Routing
            }
            _ => self.phase.state(),
        }
    }

    /// A property as GMS names it, for queries and answers.
    pub fn property(&self, key: &str) -> Option<String> {
        match key {
            "_id" => Some(self.id.clone()),
            "_service_name" => Some(self.service.clone()),
            "_customer_number" => Some(self.customer_number.clone()),
            "_desired_time" => Some(iso::format(self.desired_time)),
            "_callback_state" => Some(self.state().to_string()),
            "_callback_reason" => self.phase.reason().map(|r| r.to_string()),
            "_expiration_time" => Some(iso::format(self.expires)),
            _ if key.starts_with('_') => self.system.get(key).cloned(),
            _ => self.user_data.get(key).cloned(),
        }
    }

    /// The record as GMS answers it: every value a string. `base` is the service's public URL
    /// (`https://host/genesys/1/service`).
    pub fn to_gms(&self, base: &str) -> BTreeMap<String, String> {
        let mut out: BTreeMap<String, String> = self.user_data.clone();
        out.extend(self.system.iter().map(|(k, v)| (k.clone(), v.clone())));
        let url = format!("{base}/{}", self.id);
        for (k, v) in [
            ("_id", self.id.clone()),
            ("_service_name", self.service.clone()),
            ("_customer_number", self.customer_number.clone()),
            ("_desired_time", iso::format(self.desired_time)),
            ("_callback_state", self.state().to_string()),
            ("_expiration_time", iso::format(self.expires)),
            ("_url", url.clone()),
            ("url", url),
            ("_created_time", iso::format(self.created)),
            ("_updated_time", iso::format(self.updated)),
            ("_dial_attempts", self.dial_attempts.to_string()),
            ("_phase", self.phase.name().to_string()),
            ("_media_type", self.selectors.media_type.clone()),
        ] {
            out.insert(k.to_string(), v);
        }
        if let Some(reason) = self.phase.reason() {
            out.insert("_callback_reason".into(), reason.to_string());
        }
        if let Some(agent) = self.phase.agent() {
            out.insert("_agent_id".into(), agent.to_string());
        }
        if let Some(d) = &self.disposition {
            out.insert("_disposition".into(), d.code.clone());
            out.insert("_disposition_note".into(), d.note.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispositions_need_a_code_and_stay_short() {
        let d = Disposition::new(Some(" SALE "), None).unwrap();
        assert_eq!((d.code.as_str(), d.note.as_str()), ("SALE", ""));
        assert!(Disposition::new(Some("  "), Some("n")).is_err());
        assert!(Disposition::new(None, None).is_err());
        assert!(Disposition::new(Some(&"x".repeat(101)), None).is_err());
        assert!(Disposition::new(Some("SALE"), Some(&"é".repeat(2000))).is_ok());
        assert!(Disposition::new(Some("SALE"), Some(&"é".repeat(2001))).is_err());
    }

    #[test]
    fn reason_codes_are_distinct_and_read_back() {
        let reasons: Vec<Reason> = SIMPLE_REASONS
            .iter()
            .map(|(r, _)| *r)
            .chain([0, 3, u32::MAX].map(Reason::AgentPreviewCancelAfterRejects))
            .collect();
        let codes: std::collections::BTreeSet<u32> = reasons.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), reasons.len());
        assert!(!codes.contains(&0));
        for r in &reasons[..reasons.len() - 1] {
            assert_eq!(Reason::from_code(r.code()), Some(*r));
        }
        assert_eq!(Reason::from_code(0), None);
        assert_eq!(Reason::from_code(99), None);
    }

    #[test]
    fn reasons_read_and_write_gms_names() {
        for name in [
            "CANCELLED",
            "CANCELLED_BY_ADMIN",
            "AGENT_CONNECTED",
            "FAIL_TIMEOUT_TTL",
            "AGENT_PREVIEW_CANCEL_AFTER_3REJECTS",
            "SUBMIT_FAILED",
        ] {
            assert_eq!(name.parse::<Reason>().unwrap().to_string(), name);
        }
        assert!("AGENT_PREVIEW_CANCEL_AFTER_xREJECTS"
            .parse::<Reason>()
            .is_err());
        assert!("BORED".parse::<Reason>().is_err());
        assert_eq!(
            serde_json::to_string(&Reason::AgentPreviewCancelAfterRejects(2)).unwrap(),
            "\"AGENT_PREVIEW_CANCEL_AFTER_2REJECTS\""
        );
    }

    #[test]
    fn phases_give_gms_states() {
        assert_eq!(Phase::Offered { agent: "a".into() }.state(), State::Queued);
        assert_eq!(Phase::Dialing { agent: None }.state(), State::Routing);
        assert_eq!(
            Phase::Disposition { agent: "a".into() }.state(),
            State::Processing
        );
        // Stored names are serde's tags, so SQL can read them from a stored record.
        for phase in [
            Phase::Waiting,
            Phase::AwaitingAgent,
            Phase::RetryWait,
            Phase::Offered { agent: "a".into() },
        ] {
            assert_eq!(serde_json::to_value(&phase).unwrap()["phase"], phase.name());
        }
        assert_eq!("queued".parse::<State>(), Ok(State::Queued));
        assert!(
            State::Paused.is_in_queue()
                && !State::Scheduled.is_in_queue()
                && !State::Completed.is_in_queue()
        );
    }
}
