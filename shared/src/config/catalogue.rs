//! The option catalogue: every option we read, with its meaning, default and allowed values, in one
//! place. Reading a section ([`super::reader`]), the console's editor, `GET /genesys/1/admin/templates`
//! and the docs' option reference all take these entries, so a default or a range is written once.
//!
//! Invariant: an option a section reads is read through its entry here (a test checks every entry's
//! default is accepted by the reader).

use super::ServiceKind as Template;
use serde::Serialize;

/// What values an option takes, and its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    Bool {
        default: bool,
    },
    Number {
        default: u32,
        min: u32,
        max: u32,
    },
    Choice {
        default: &'static str,
        values: &'static [&'static str],
    },
    /// Free text with a format of its own (a URL, a zone, a list…), checked when the section is read.
    Text {
        default: &'static str,
    },
}

/// One option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Opt {
    /// The option's name; `<n>` stands for a number (`_bh_regular<n>`).
    pub name: &'static str,
    /// What it does, in one sentence.
    pub meaning: &'static str,
    #[serde(flatten)]
    pub kind: Kind,
    /// The templates whose sections take it (a callback option may also sit in section `callback`).
    pub templates: &'static [Template],
    /// Ours, not GMS's (**[ext]** in the docs).
    pub ext: bool,
}

impl Opt {
    /// The default as text, as a section would write it.
    pub fn default_text(&self) -> String {
        match self.kind {
            Kind::Bool { default } => default.to_string(),
            Kind::Number { default, .. } => default.to_string(),
            Kind::Choice { default, .. } | Kind::Text { default } => default.to_string(),
        }
    }

    /// Whether a section's option `name` is this one (`_bh_regular3` is `_bh_regular<n>`).
    pub fn names(&self, name: &str) -> bool {
        match self.name.strip_suffix("<n>") {
            Some(prefix) => name
                .strip_prefix(prefix)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
            None => self.name == name,
        }
    }
}

use Template::{
    Callback as CB, Capacity as CAP, MatchInteraction as MI, OfficeHours as OH, RequestAccess as RA,
};

const fn flag(
    name: &'static str,
    default: bool,
    t: &'static [Template],
    ext: bool,
    meaning: &'static str,
) -> Opt {
    Opt {
        name,
        meaning,
        kind: Kind::Bool { default },
        templates: t,
        ext,
    }
}
const fn number(
    name: &'static str,
    default: u32,
    min: u32,
    max: u32,
    t: &'static [Template],
    ext: bool,
    meaning: &'static str,
) -> Opt {
    Opt {
        name,
        meaning,
        kind: Kind::Number { default, min, max },
        templates: t,
        ext,
    }
}
const fn choice(
    name: &'static str,
    default: &'static str,
    values: &'static [&'static str],
    t: &'static [Template],
    ext: bool,
    meaning: &'static str,
) -> Opt {
    Opt {
        name,
        meaning,
        kind: Kind::Choice { default, values },
        templates: t,
        ext,
    }
}
const fn text(
    name: &'static str,
    default: &'static str,
    t: &'static [Template],
    ext: bool,
    meaning: &'static str,
) -> Opt {
    Opt {
        name,
        meaning,
        kind: Kind::Text { default },
        templates: t,
        ext,
    }
}

const GMS: bool = false;
const EXT: bool = true;
const ALL_KINDS: &[Template] = &[CB, OH, CAP, RA, MI];

macro_rules! catalogue {
    ($($id:ident = $make:ident($($arg:expr),*);)*) => {
        $(pub const $id: Opt = $make($($arg),*);)*
        /// Every option, in the order the docs show them.
        pub const ALL: &[Opt] = &[$($id),*];
    };
}

catalogue! {
    TYPE = choice("_type", "builtin", &["ors", "builtin"], ALL_KINDS, GMS, "How GMS runs the service: ors for a callback service, builtin for the others; kept for GMS tools.");
    SERVICE = choice("_service", "callback", &["callback", "office-hours", "capacity", "request-access", "match-interaction",], ALL_KINDS, GMS, "What the service is: its template.");
    CALL_DIRECTION = choice("_call_direction", "USERTERMINATED", &["USERTERMINATED", "USERORIGINATED"], &[CB], GMS, "USERTERMINATED: the contact centre calls the customer; USERORIGINATED: the customer calls a number the service gives.");
    MEDIA_TYPE = choice("_media_type", "voice", &["voice", "chat"], &[CB], GMS, "What the callback is: a voice call, or a chat with an agent in writing.");
    WAIT_FOR_AGENT = flag("_wait_for_agent", false, &[CB], GMS, "Wait until an agent is ready before the customer is called or given the number.");
    WAIT_FOR_USER_CONFIRM = flag("_wait_for_user_confirm", false, &[CB], GMS, "Ask the customer to confirm they are available once an agent is ready.");
    FIRST_PARTY = choice("_userterminated_first_connect_party", "CUSTOMER", &["CUSTOMER", "AGENT"], &[CB], GMS, "Who is called first: the customer, or the agent (then the customer).");
    AGENT_PREVIEW = flag("_agent_preview", false, &[CB], GMS, "The agent sees the callback and accepts it before the customer is called.");
    AGENT_PREVIEW_TIMEOUT = number("_agent_preview_timeout", 30, 1, 3600, &[CB], GMS, "Seconds an agent has to accept a preview before it goes to another agent.");
    AGENT_PREVIEW_ALLOW_REJECT = number("_agent_preview_allow_reject", 0, 0, 1000, &[CB], GMS, "How many times agents may reject a preview (0: without limit).");
    AGENT_PREVIEW_DATA = text("_agent_preview_data", "", &[CB], GMS, "Comma-separated keys of the callback shown in the preview (empty: all).");
    USER_CONFIRM_TIMEOUT = number("_user_confirm_timeout", 30, 1, 3600, &[CB], GMS, "Seconds the customer has to confirm they are available.");
    ON_USER_CONFIRM_TIMEOUT = text("_on_user_confirm_timeout", "CONNECT-ANYWAY", &[CB], GMS, "CONNECT-ANYWAY calls the customer when they do not confirm in time; any other value ends the callback (FAIL_USER_NO_CONFIRM).");
    MAX_CONFIRM_ATTEMPTS = number("_max_number_of_user_availability_confirmation_attempts", 3, 1, 100, &[CB], GMS, "How many times the customer is asked to confirm.");
    MAX_CHATS_PER_AGENT = number("_max_chats_per_agent", 3, 1, 20, &[CB], EXT, "How many chats an agent holds at once, while holding no call.");
    ENABLE_DISPOSITION = flag("_enable_disposition_dialog", false, &[CB], GMS, "After the call the agent records how it went before taking another.");
    DISPOSITION_TIMEOUT = number("_agent_disposition_timeout", 45, 1, 3600, &[CB], GMS, "Seconds an agent has to record the disposition.");
    MAX_DIAL_ATTEMPTS = number("_max_dial_attempts", 3, 1, 100, &[CB], GMS, "How many times the customer is dialled before the callback fails.");
    DIAL_RETRY_TIMEOUT = number("_dial_retry_timeout", 300, 0, 86_400, &[CB], GMS, "Seconds between two dials of the customer.");
    TTL = number("_ttl", 86_400, 1, 31_536_000, &[CB], GMS, "Seconds after its desired time a callback expires (FAIL_TIMEOUT_TTL) and is removed.");
    RETENTION_DAYS = number("_retention_days", 30, 1, 3650, &[CB], EXT, "Days a finished callback is kept, even when _ttl would keep it longer.");
    PAUSED = flag("_paused", false, &[CB], EXT, "Take no new callbacks (503) while the existing ones go on.");
    DIALER_URL = text("_dialer_url", "", &[CB], EXT, "An https:// URL that places the calls (a dialer); empty: agents dial, or _telephony places them.");
    TELEPHONY = choice("_telephony", "agent", &["agent", "dialer", "twilio"], &[CB], EXT, "Who places the calls: the agents, the _dialer_url, or Twilio.");
    TWILIO_ACCOUNT_SID = text("_twilio_account_sid", "", &[CB], EXT, "Your Twilio account's SID (AC and 32 hexadecimal digits); its token is the deployment's secret.");
    TWILIO_CALLER_ID = text("_twilio_caller_id", "", &[CB], EXT, "The number of your Twilio account the customer sees, in E.164.");
    TWILIO_SMS_FROM = text("_twilio_sms_from", "", &[CB], EXT, "The number texts come from, in E.164 (empty: the caller id).");
    TWILIO_RING_TIMEOUT = number("_twilio_ring_timeout", 30, 5, 600, &[CB], EXT, "Seconds a phone rings before the dial counts as not answered.");
    TWILIO_MACHINE_DETECTION = flag("_twilio_machine_detection", true, &[CB], EXT, "An answering machine counts as ANSWERING_MACHINE rather than an answer.");
    TWILIO_INBOUND = flag("_twilio_inbound", false, &[CB], EXT, "Answer calls to the service's Twilio number: callers wait in its queue and may choose a callback.");
    IVR_OFFER_INTERVAL = number("_ivr_offer_interval", 30, 5, 3600, &[CB], EXT, "Seconds between two offers of a callback to a caller waiting on the service's number.");
    TELEPHONY_LANGUAGE = text("_telephony_language", "en", &[CB], EXT, "What callers hear and texts say: en, fr, de or es (others get English).");
    SMS_CONFIRMATION = flag("_sms_confirmation", false, &[CB], EXT, "Text the customer when the callback is booked, with its time and manage link.");
    SMS_REMINDER = number("_sms_reminder", 0, 0, 604_800, &[CB], EXT, "Seconds before a scheduled callback to text a reminder (0: none).");
    SMS_CALLING = flag("_sms_calling", false, &[CB], EXT, "Text the customer when the first call to them starts.");
    DEFAULT_COUNTRY = text("_default_country", "US", &[CB], GMS, "The country of numbers written without +country code (ISO code such as FR).");
    DISALLOW_IMPOSSIBLE = flag("_disallow_impossible_phone_numbers", true, &[CB], GMS, "Refuse numbers that cannot exist in their country.");
    DISALLOW_PREMIUM = flag("_disallow_premium_phone_numbers", true, &[CB], GMS, "Refuse premium-rate numbers.");
    LOOKUP_KEYS = text("_customer_lookup_keys", "_customer_number", &[CB], GMS, "Comma-separated keys callbacks can be searched by.");
    MANDATORY_LOOKUP_KEYS = text("_mandatory_customer_lookup_keys", "_customer_number", &[CB], GMS, "Comma-separated lookup keys a create must give.");
    ENABLE_NOTIFICATION = choice("_enable_status_notification", "false", &["false", "subscribe_notify", "true"], &[CB], GMS, "Send the callback's status changes to _status_notification_target.");
    NOTIFICATION_TARGET = text("_status_notification_target", "", &[CB], GMS, "The https:// URL status notifications are sent to.");
    EVENTS_LIST = text("_callback_events_list", "", &[CB], GMS, "Comma-separated _cbe_on_* events to notify (empty: all).");
    WEBHOOK_SECRET = text("_webhook_secret", "", &[CB], EXT, "The secret that signs notifications (empty: the deployment's secret).");
    ALLOWED_ORIGINS = text("_allowed_origins", "", &[CB], EXT, "Comma-separated sites whose pages may call the service (* for all; empty: the service's own).");
    OFFER_EWT_THRESHOLD = number("_offer_callback_ewt_threshold", 300, 0, 86_400, &[CB], GMS, "Offer a callback when the estimated wait is at least this many seconds.");
    ON_TIME_WINDOW = number("_on_time_window", 300, 0, 86_400, &[CB], EXT, "Seconds after the promised time a scheduled callback's first dial counts as on time in the reports.");
    AVERAGE_HANDLE_TIME = number("_average_handle_time", 300, 1, 86_400, &[CB], EXT, "Seconds an agent spends on a callback, for waiting-time estimates until measured.");
    REQUEST_ACCESS_SERVICE = text("_request_access_service", "request-access", &[CB, MI], EXT, "The request-access service that gives user-originated callers their number.");
    MATCH_INTERACTION_SERVICE = text("_match_interaction_service", "match-interaction", &[CB], EXT, "The match-interaction service that recognises user-originated calls.");
    BUSINESS_HOURS_SERVICE = text("_business_hours_service", "", &[CB], GMS, "The office-hours service saying when callbacks are served (empty: always).");
    CAPACITY_SERVICE = text("_capacity_service", "", &[CB], GMS, "The capacity service saying how many callbacks each time slot takes (empty: _max_request_by_time_bucket).");
    TIME_BUCKET = choice("_request_time_bucket", "5", &["5", "10", "15", "20", "30", "60", "120"], &[CB], GMS, "Minutes in a bookable time slot.");
    MAX_PER_BUCKET = number("_max_request_by_time_bucket", 100, 0, 1_000_000, &[CB], GMS, "Callbacks a slot takes when there is no capacity service.");
    FUTURE_HORIZON = text("_reject_future_desired_time", "1M", &[CB], GMS, "How far ahead a callback may be booked: <n><unit>, unit y, M, w, d, h or m.");
    REJECT_OUT_OF_HOURS = flag("_enable_reject_out_of_office_hours", false, &[CB], GMS, "Refuse immediate callbacks asked for while the office is closed.");
    EXECUTION_BUFFER = number("_request_execution_time_buffer", 120, 0, 86_400, &[CB], GMS, "Seconds before its time a scheduled callback joins the queue.");
    PAST_TOLERANCE = number("_reject_past_desired_time", 300, 0, 86_400, &[CB], GMS, "A desired time at most this many seconds ago means as soon as possible.");
    MAX_QUEUED = number("_max_queued_callbacks_per_service", 1000, 0, 10_000_000, &[CB], GMS, "Immediate callbacks the queue holds at most.");
    IN_QUEUE_CHECKING = choice("_enable_in_queue_checking", "true", &["true", "strict", "false"], &[CB], GMS, "Open callbacks one number may have: true, two; strict, one; false, no limit.");
    THROTTLE_1 = number("_throttle_callbacks_per_service_1", 500, 0, 10_000_000, &[CB], GMS, "Creates accepted in _throttle_ttl_1 seconds.");
    THROTTLE_TTL_1 = number("_throttle_ttl_1", 300, 1, 86_400, &[CB], GMS, "The first throttle's window, in seconds.");
    THROTTLE_2 = number("_throttle_callbacks_per_service_2", 1000, 0, 10_000_000, &[CB], GMS, "Creates accepted in _throttle_ttl_2 seconds.");
    THROTTLE_TTL_2 = number("_throttle_ttl_2", 3600, 1, 86_400, &[CB], GMS, "The second throttle's window, in seconds.");
    THROTTLE_PARAMETERS = text("_throttle_request_parameters", "_customer_number", &[CB], GMS, "Comma-separated parameters whose values are throttled per day.");
    THROTTLE_PARAMETERS_LIMIT = number("_throttle_request_parameters_limit", 6, 0, 1_000_000, &[CB], GMS, "Creates a day with the same value of a throttled parameter.");
    CLIENT_RATE_LIMIT = text("_client_rate_limit", "120/60", &[CB], EXT, "Public requests per seconds from one client address (requests/seconds).");
    NUMBER_RATE_LIMIT = text("_number_rate_limit", "5/60", &[CB], EXT, "Public creates per seconds for one customer number (requests/seconds).");
    TIMEZONE = text("_timezone", "UTC", &[OH, CAP], GMS, "The IANA time zone the times are in (Europe/Paris).");
    BH_REGULAR = text("_bh_regular<n>", "", &[OH], GMS, "Weekly open hours: days and hours, such as Mon-Fri 09:00-17:00.");
    BH_ADD = text("_bh_add<n>", "", &[OH], GMS, "Extra open hours on a date: 2026-12-24 09:00-12:00, or yearly 12-24 09:00-12:00.");
    HOLIDAY = text("_holiday<n>", "", &[OH], GMS, "A closed date: 2026-12-25, or yearly 12-25.");
    CAPACITY_DAY = text("_capacity_<n>", "", &[CAP], GMS, "Weekday n's callbacks per slot (1 = Monday): {\"1\": {\"0900\": 5, \"1000\": 3}}; slots not listed take none.");
    CAPACITY_ADD = text("_capacity_add", "", &[CAP], GMS, "Dates whose slots replace their weekday's: {\"2026-12-24\": {\"0900\": 2}}.");
    MAX_CAPACITY = number("_max_capacity", 1000, 0, 1_000_000, &[CAP], GMS, "The most any slot takes, in section capacity.");
    ACCESS_NUMBERS = text("_access_numbers", "", &[RA], GMS, "Comma-separated E.164 numbers user-originated callers are given to call.");
    PROVIDE_CODE = flag("_provide_code", false, &[RA], GMS, "Give callers an access code to type when they call.");
    ACCESS_TTL = number("_ttl", 30, 1, 86_400, &[RA], GMS, "Seconds a given number stays reserved for its caller.");
}

/// The entry of option `name` in a section of `template`.
pub fn find(template: Template, name: &str) -> Option<&'static Opt> {
    ALL.iter()
        .find(|o| o.templates.contains(&template) && o.names(name))
}

/// The known option of `template` closest to an unknown `name` (a typo), if one is close enough.
pub fn nearest(template: Template, name: &str) -> Option<&'static str> {
    let typed = name.to_ascii_lowercase();
    ALL.iter()
        .filter(|o| o.templates.contains(&template))
        .map(|o| (distance(&typed, o.name.trim_end_matches("<n>")), o.name))
        .filter(|(d, known)| *d <= (known.len() / 4).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, known)| known)
}

/// Edit distance (insertions, deletions, substitutions).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i.saturating_add(1);
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j.saturating_add(1)).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let next = diagonal
                .saturating_add(usize::from(ca != *cb))
                .min(above.saturating_add(1))
                .min(left.saturating_add(1));
            diagonal = above;
            if let Some(cell) = row.get_mut(j.saturating_add(1)) {
                *cell = next;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::testkit::options;

    #[test]
    fn every_default_is_accepted_where_it_is_written() {
        for template in Template::ALL {
            let mut pairs = vec![("_service".to_string(), template.name().to_string())];
            for o in ALL
                .iter()
                .filter(|o| o.templates.contains(&template) && o.name != "_service")
            {
                pairs.push((o.name.replace("<n>", "1"), o.default_text()));
            }
            let mut config = Config::new();
            let written: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            // A default of "" is "not set": weekly rules without text are not rules.
            let written: Vec<(&str, &str)> =
                written.into_iter().filter(|(_, v)| !v.is_empty()).collect();
            assert_eq!(
                config.put("service.s", options(&written)),
                Ok(()),
                "{template:?}"
            );
        }
    }

    #[test]
    fn names_are_unique_within_a_template() {
        for (i, a) in ALL.iter().enumerate() {
            for b in ALL.iter().skip(i + 1) {
                let shared = a.templates.iter().any(|t| b.templates.contains(t));
                assert!(!(shared && a.name == b.name), "{} twice", a.name);
            }
        }
    }

    #[test]
    fn numbered_options_and_typos() {
        assert_eq!(
            find(Template::OfficeHours, "_bh_regular12").map(|o| o.name),
            Some("_bh_regular<n>")
        );
        assert!(find(Template::OfficeHours, "_bh_regular").is_none());
        assert_eq!(find(Template::RequestAccess, "_ttl"), Some(&ACCESS_TTL));
        assert_eq!(find(Template::Callback, "_ttl"), Some(&TTL));
        assert_eq!(
            nearest(Template::Callback, "_wait_for_agnet"),
            Some("_wait_for_agent")
        );
        assert_eq!(
            nearest(Template::Callback, "_WAIT_FOR_AGENT"),
            Some("_wait_for_agent")
        );
        assert_eq!(
            nearest(Template::OfficeHours, "_bh_regulr"),
            Some("_bh_regular<n>")
        );
        assert_eq!(nearest(Template::Callback, "colour"), None);
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }
}
