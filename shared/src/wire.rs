//! Wire types: the JSON of every request and answer of API.md, shared by the edge and the widget.

use crate::availability::Slot;
use crate::iso;
use crate::zone::Zone;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A callback as GMS answers it: every value a string.
pub type Record = BTreeMap<String, String>;

/// Every error answer. `availability` only on availability errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: u16,
    pub message: String,
    pub exception: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<AvailabilityV1>,
}

/// The answer of a create.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CreateAnswer {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(
        rename = "_desired_time",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub desired_time: Option<String>,
    #[serde(
        rename = "_dialog_id",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub dialog_id: Option<String>,
    #[serde(rename = "_action", default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(rename = "_text", default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(rename = "_ok_title", default, skip_serializing_if = "Option::is_none")]
    pub ok_title: Option<String>,
    #[serde(rename = "_label", default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(rename = "_tel_url", default, skip_serializing_if = "Option::is_none")]
    pub tel_url: Option<String>,
    #[serde(
        rename = "_access_code",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub access_code: Option<String>,
    #[serde(
        rename = "_start_chat_url",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub start_chat_url: Option<String>,
    #[serde(
        rename = "_comet_url",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub comet_url: Option<String>,
    #[serde(
        rename = "_chat_parameters",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub chat_parameters: Option<ChatParameters>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChatParameters {
    pub subject: String,
}

impl CreateAnswer {
    /// User-terminated immediate: the confirmation dialog.
    pub fn confirmation(id: String) -> CreateAnswer {
        CreateAnswer {
            id,
            dialog_id: Some("0".into()),
            action: Some("ConfirmationDialog".into()),
            text: Some("You will receive the call shortly".into()),
            ok_title: Some("OK".into()),
            ..CreateAnswer::default()
        }
    }

    /// User-originated immediate: the number to dial.
    pub fn dial(id: String, access_number: &str, access_code: Option<String>) -> CreateAnswer {
        CreateAnswer {
            id,
            dialog_id: Some("0".into()),
            action: Some("DialNumber".into()),
            label: Some("Connect to agent".into()),
            tel_url: Some(format!("tel:{access_number}")),
            access_code,
            ..CreateAnswer::default()
        }
    }

    /// A chat that starts now: where the customer joins it (`service_url`: the public
    /// `https://host/genesys/1/service`) and its socket.
    pub fn start_chat(id: String, service_url: &str, subject: String) -> CreateAnswer {
        let chat = format!("{service_url}/{id}/ixn/chat");
        let socket = match chat.split_once("://") {
            Some(("http", rest)) => format!("ws://{rest}/ws"),
            Some((_, rest)) => format!("wss://{rest}/ws"),
            None => format!("{chat}/ws"),
        };
        CreateAnswer {
            id,
            dialog_id: Some("0".into()),
            action: Some("StartChat".into()),
            start_chat_url: Some(chat),
            comet_url: Some(socket),
            chat_parameters: Some(ChatParameters { subject }),
            ..CreateAnswer::default()
        }
    }

    /// Chat Delayed: the customer is told they will be asked when an agent is ready.
    pub fn chat_later(id: String) -> CreateAnswer {
        CreateAnswer {
            text: Some("We will notify you when an agent is available".into()),
            ..CreateAnswer::confirmation(id)
        }
    }

    pub fn scheduled(id: String, desired: chrono::DateTime<chrono::Utc>) -> CreateAnswer {
        CreateAnswer {
            id,
            desired_time: Some(iso::format(desired)),
            ..CreateAnswer::default()
        }
    }
}

/// Availability v1: bucket start (UTC ISO) → remaining; keys sort chronologically.
pub type AvailabilityV1 = BTreeMap<String, u32>;

pub fn availability_v1(slots: &[Slot]) -> AvailabilityV1 {
    slots
        .iter()
        .map(|s| (iso::format(s.start), s.remaining()))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AvailabilityV2 {
    pub duration_min: u32,
    pub timezone: String,
    pub slots: Vec<SlotV2>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotV2 {
    pub utc_time: String,
    /// In the asked zone, without offset.
    pub local_time: String,
    /// Remaining.
    pub capacity: u32,
    /// The bucket's limit.
    pub total: u32,
}

pub fn availability_v2(duration_min: u32, zone: Zone, slots: &[Slot]) -> AvailabilityV2 {
    AvailabilityV2 {
        duration_min,
        timezone: zone.name().to_string(),
        slots: slots
            .iter()
            .map(|s| SlotV2 {
                utc_time: iso::format(s.start),
                local_time: iso::format_local(zone.to_local(s.start)),
                capacity: s.remaining(),
                total: s.limit,
            })
            .collect(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePosition {
    #[serde(rename = "_position")]
    pub position: u32,
    #[serde(rename = "_total_waiting")]
    pub total_waiting: u32,
    #[serde(rename = "_eta")]
    pub eta: u32,
    pub ewt: u32,
}

/// IVR Classic and the widget: should a callback be offered now?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferAnswer {
    /// Estimated wait in seconds for a callback created now.
    pub ewt: u32,
    /// Open and the wait exceeds `_offer_callback_ewt_threshold`.
    pub offer: bool,
    pub open: bool,
    /// The position a callback created now would take.
    pub position: u32,
    /// **[ext]** The service's (office hours') time zone.
    pub timezone: String,
    /// **[ext]** `voice` or `chat`: the widget opens a chat on a chat service.
    pub media: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: String,
    pub end: String,
}

/// The office-hours service's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHoursAnswer {
    pub error: Option<String>,
    pub periods: Vec<Period>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapacitySlot {
    pub start: String,
    pub end: String,
    pub capacity: u32,
}

/// The capacity service's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapacityAnswer {
    pub timezone: String,
    pub slots: Vec<CapacitySlot>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watermarks {
    pub services: BTreeMap<String, u32>,
    pub total: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkCancelRequest {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(deserialize_with = "crate::params::one_or_many")]
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BulkCancelAnswer {
    pub cancelled: Vec<String>,
    pub failed: BTreeMap<String, String>,
}

/// `POST /genesys/1/admin/callback/erase` **[ext]**: everything stored about one customer number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EraseRequest {
    /// Best in E.164 (`+33612345678`); each service reads it with its own default country.
    #[serde(rename = "_customer_number")]
    pub customer_number: String,
}

/// What one service erased about a customer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Erased {
    /// Callback records erased (with their history, timers and idempotent answers).
    pub callbacks: u32,
    /// Of those, open ones cancelled first (their notifications still go out, then go).
    pub cancelled: u32,
    /// Remembered creates (the daily limit's and the throttles' counters).
    pub counters: u32,
    /// Access numbers held for the customer (request-access services).
    pub holds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EraseAnswer {
    pub services: BTreeMap<String, Erased>,
    pub callbacks: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCancelledRequest {
    #[serde(default)]
    pub callback_reason: Option<String>,
    #[serde(default, deserialize_with = "crate::params::one_or_many")]
    pub exported_properties: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub time: String,
    pub from: Option<String>,
    pub to: String,
    pub reason: Option<String>,
    pub actor: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsAnswer {
    pub events: Vec<HistoryEvent>,
}

/// The body of a notification webhook (to `_status_notification_target`): `seq` orders a
/// callback's notifications, `time` is when its state changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub event: String,
    pub seq: i64,
    pub time: String,
    pub callback: Record,
}

/// The body of a dial webhook (to `_dialer_url`): the dialer reports the outcome of `attempt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialRequest {
    /// Always `dial`.
    pub event: String,
    pub seq: i64,
    pub attempt: u32,
    pub first_connect_party: crate::config::FirstParty,
    /// The agent the callback is reserved for, if any.
    pub agent: Option<AgentRef>,
    pub callback: Record,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRef {
    pub id: String,
}

/// What an agent has been given: a callback to preview (accept or reject before `deadline`), or
/// reserved for them to dial, talk to and record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentOffer {
    pub callback: Record,
    /// The fields the agent previews (`_agent_preview_data`, else the customer's number and data).
    pub preview: BTreeMap<String, String>,
    /// When an unanswered preview counts as rejected, or the disposition is no longer awaited.
    pub deadline: Option<String>,
    /// Whether a dialer places the calls (else the agent dials).
    pub dialer: bool,
    pub disposition: bool,
}

/// `GET /genesys/1/agent/offer`: the agent, whether ready, and their reservation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentStatus {
    pub agent: String,
    pub name: String,
    pub services: Vec<String>,
    pub ready: bool,
    pub offer: Option<AgentOffer>,
    /// Chats the agent has joined and holds beside their offer (CHAT.md).
    #[serde(default)]
    pub chats: Vec<AgentOffer>,
}

/// An agent as the admin API shows it; `token` only when one was just issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentAnswer {
    pub id: String,
    pub name: String,
    pub services: Vec<String>,
    /// The agent's phone in E.164, for calls a telephony connector places **[ext]**.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ready: Option<bool>,
    /// The id of the callback reserved for the agent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub holds: Option<String>,
}

/// CSV of records with the given columns (RFC 4180 quoting). Values come from the public: a cell
/// a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first: OWASP's
/// rule) is neutralised with a leading `'`, except a plain signed number such as a phone number
/// (`+33612345678`), which runs nothing.
pub fn csv(columns: &[String], records: &[Record]) -> String {
    fn field(v: &str) -> String {
        let signed_number =
            v.len() > 1 && v.starts_with(['+', '-']) && v[1..].bytes().all(|b| b.is_ascii_digit());
        let formula = v.starts_with(['=', '+', '-', '@', '\t', '\r']) && !signed_number;
        if formula || v.contains([',', '"', '\n', '\r']) {
            format!(
                "\"{}{}\"",
                if formula { "'" } else { "" },
                v.replace('"', "\"\"")
            )
        } else {
            v.to_string()
        }
    }
    let mut out = columns
        .iter()
        .map(|c| field(c))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    for r in records {
        let row: Vec<String> = columns
            .iter()
            .map(|c| field(r.get(c).map(String::as_str).unwrap_or("")))
            .collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// What a service has left to do once its clock was moved forward (tests only): its clock's
/// time, when its next timer or delivery is due, and how many webhooks wait undelivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub now: String,
    pub next: Option<String>,
    pub undelivered: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_answers_have_gms_field_names() {
        let json = serde_json::to_value(CreateAnswer::confirmation("abc".into())).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"_id": "abc", "_dialog_id": "0", "_action": "ConfirmationDialog", "_text": "You will receive the call shortly", "_ok_title": "OK"})
        );
        let json = serde_json::to_value(CreateAnswer::dial(
            "abc".into(),
            "+18005550100",
            Some("1234".into()),
        ))
        .unwrap();
        assert_eq!(json["_tel_url"], "tel:+18005550100");
        assert_eq!(json["_action"], "DialNumber");
    }

    #[test]
    fn availability_answers() {
        let t = |s| iso::parse(s).unwrap();
        let slots = [Slot {
            start: t("2026-12-01T08:00:00Z"),
            end: t("2026-12-01T08:15:00Z"),
            limit: 10,
            booked: 7,
        }];
        assert_eq!(
            serde_json::to_string(&availability_v1(&slots)).unwrap(),
            r#"{"2026-12-01T08:00:00.000Z":3}"#
        );
        #[cfg(feature = "tz")]
        {
            let v2 = availability_v2(15, Zone::parse("Europe/Paris").unwrap(), &slots);
            assert_eq!(
                serde_json::to_value(v2).unwrap(),
                serde_json::json!({"durationMin": 15, "timezone": "Europe/Paris", "slots": [{"utcTime": "2026-12-01T08:00:00.000Z", "localTime": "2026-12-01T09:00:00.000", "capacity": 3, "total": 10}]})
            );
        }
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let record: Record = [
            ("a".to_string(), "x,y".to_string()),
            ("b".to_string(), "say \"hi\"".to_string()),
        ]
        .into();
        assert_eq!(
            csv(&["a".into(), "b".into(), "c".into()], &[record]),
            "a,b,c\r\n\"x,y\",\"say \"\"hi\"\"\",\r\n"
        );
    }

    #[test]
    fn csv_cells_never_run_as_formulas() {
        let cell = |v: &str| {
            let record: Record = [("a".to_string(), v.to_string())].into();
            csv(&["a".into()], &[record])
                .trim_start_matches("a\r\n")
                .trim_end_matches("\r\n")
                .to_string()
        };
        assert_eq!(
            cell("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        for attack in [
            "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1",
            "\r=1",
            "+",
            "-1+1",
        ] {
            assert!(
                cell(attack).starts_with("\"'"),
                "{attack:?} → {}",
                cell(attack)
            );
        }
        assert_eq!(
            cell("+33612345678"),
            "+33612345678",
            "a phone number stays a number"
        );
        assert_eq!(cell("-12"), "-12");
        assert_eq!(cell("Zoé"), "Zoé");
    }
}
