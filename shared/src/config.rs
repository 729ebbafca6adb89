//! GMS configuration: named sections of string options, validated into typed services.
//!
//! Sections: `callback` (global defaults), `capacity` (`_max_capacity`), and `service.<name>` whose
//! `_service` option says what it is: `callback`, `office-hours`, `capacity`, `request-access` or
//! `match-interaction`. An option of a callback service is looked up in the service's section, then
//! in section `callback` (also under its name without the leading `_`, as GMS's
//! `max_queued_callbacks_per_service`), then takes the default of API.md.

use crate::capacity::Capacity;
use crate::office_hours::OfficeHours;
use crate::params;
use crate::phone::{Country, PhonePolicy};
use crate::zone::Zone;
use chrono::{DateTime, Duration, Months, Utc};
use std::collections::BTreeMap;

pub type Options = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("option `{option}`: {message}")]
pub struct ConfigError {
    pub option: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(option: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            option: option.to_string(),
            message: message.into(),
        }
    }
}

/// What a `service.<name>` section is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceKind {
    Callback,
    OfficeHours,
    Capacity,
    RequestAccess,
    MatchInteraction,
}

impl ServiceKind {
    fn of(options: &Options) -> Result<ServiceKind, ConfigError> {
        let service = options.get("_service").map(|s| s.trim()).unwrap_or("");
        Ok(match service {
            "callback" => ServiceKind::Callback,
            "office-hours" => ServiceKind::OfficeHours,
            "capacity" => ServiceKind::Capacity,
            "request-access" | "request-interaction" => ServiceKind::RequestAccess,
            "match-interaction" => ServiceKind::MatchInteraction,
            // An ors service whose SCXML is a callback application.
            _ if options.get("_service_type").is_some_and(|t| t == "callback") => ServiceKind::Callback,
            "" => return Err(ConfigError::new("_service", "missing: say callback, office-hours, capacity, request-access or match-interaction")),
            other => return Err(ConfigError::new("_service", format!("unknown service kind `{other}`"))),
        })
    }
}

pub const GLOBAL: &str = "callback";
pub const CAPACITY_GLOBAL: &str = "capacity";
const SERVICE_PREFIX: &str = "service.";

/// Every section, by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    sections: BTreeMap<String, Options>,
}

impl Config {
    pub fn new() -> Config {
        Config::default()
    }

    /// Sections validated when they were written (a stored copy); nothing is checked again.
    pub fn from_sections(sections: BTreeMap<String, Options>) -> Config {
        Config { sections }
    }

    pub fn sections(&self) -> &BTreeMap<String, Options> {
        &self.sections
    }

    pub fn section(&self, name: &str) -> Option<&Options> {
        self.sections.get(name)
    }

    /// Validates a section against the rest and stores it (replacing any previous one).
    pub fn put(&mut self, name: &str, options: Options) -> Result<(), ConfigError> {
        let mut next = self.clone();
        next.sections.insert(name.to_string(), options);
        next.validate_section(name)?;
        // Services that use this one must still be valid with it.
        for dependant in next.service_names() {
            if dependant != service_name(name).unwrap_or_default()
                && next.kind(&dependant) == Some(ServiceKind::Callback)
            {
                let uses = |opt: &str| {
                    next.service_option(&dependant, opt)
                        .is_some_and(|s| Some(s) == service_name(name))
                };
                if uses("_business_hours_service")
                    || uses("_capacity_service")
                    || name == GLOBAL
                    || name == CAPACITY_GLOBAL
                {
                    next.callback_service(&dependant)?;
                }
            }
        }
        *self = next;
        Ok(())
    }

    /// Removes a section; refused while a callback service uses it. Answers whether it existed.
    pub fn delete(&mut self, name: &str) -> Result<bool, ConfigError> {
        if let Some(service) = service_name(name) {
            for user in self.service_names() {
                for opt in ["_business_hours_service", "_capacity_service"] {
                    if self.service_option(&user, opt) == Some(service) {
                        return Err(ConfigError::new(
                            opt,
                            format!("service `{user}` still uses `{service}`"),
                        ));
                    }
                }
            }
        }
        Ok(self.sections.remove(name).is_some())
    }

    /// Names of every `service.<name>` section.
    pub fn service_names(&self) -> Vec<String> {
        self.sections
            .keys()
            .filter_map(|k| service_name(k))
            .map(str::to_string)
            .collect()
    }

    pub fn kind(&self, service: &str) -> Option<ServiceKind> {
        ServiceKind::of(self.sections.get(&format!("{SERVICE_PREFIX}{service}"))?).ok()
    }

    fn service_option(&self, service: &str, option: &str) -> Option<&str> {
        self.sections
            .get(&format!("{SERVICE_PREFIX}{service}"))?
            .get(option)
            .map(|s| s.trim())
    }

    pub(crate) fn validate_section(&self, name: &str) -> Result<(), ConfigError> {
        let options = self
            .sections
            .get(name)
            .ok_or_else(|| ConfigError::new("section", "missing"))?;
        match name {
            GLOBAL => {
                let global = Reader {
                    service: &Options::new(),
                    global: options,
                };
                Limits::read(&global).map(|_| ())
            }
            CAPACITY_GLOBAL => max_capacity(options).map(|_| ()),
            _ => {
                let service = service_name(name).filter(|s| valid_service_name(s)).ok_or_else(|| {
                    ConfigError::new("section", format!("`{name}`: use `callback`, `capacity` or `service.<name>` (letters, digits, `-`, `_`, `.`)"))
                })?;
                match ServiceKind::of(options)? {
                    ServiceKind::Callback => self.callback_service(service).map(|_| ()),
                    ServiceKind::OfficeHours => self.office_hours(service).map(|_| ()),
                    ServiceKind::Capacity => self.capacity(service).map(|_| ()),
                    ServiceKind::RequestAccess => access_numbers(options).map(|_| ()),
                    ServiceKind::MatchInteraction => Ok(()),
                }
            }
        }
    }

    fn service_section(
        &self,
        service: &str,
        kind: ServiceKind,
        option: &str,
    ) -> Result<&Options, ConfigError> {
        let section = self.sections.get(&format!("{SERVICE_PREFIX}{service}"));
        match section.map(ServiceKind::of) {
            Some(Ok(k)) if k == kind => section.ok_or_else(|| ConfigError::new(option, "missing")),
            _ => Err(ConfigError::new(
                option,
                format!("no {kind:?} service named `{service}`"),
            )),
        }
    }

    pub fn office_hours(&self, service: &str) -> Result<OfficeHours, ConfigError> {
        let options =
            self.service_section(service, ServiceKind::OfficeHours, "_business_hours_service")?;
        let zone = zone_option(options)?;
        OfficeHours::from_options(zone, options)
            .map_err(|(option, e)| ConfigError::new(&option, e.to_string()))
    }

    pub fn capacity(&self, service: &str) -> Result<Capacity, ConfigError> {
        let options = self.service_section(service, ServiceKind::Capacity, "_capacity_service")?;
        let max = max_capacity(
            self.sections
                .get(CAPACITY_GLOBAL)
                .unwrap_or(&Options::new()),
        )?;
        let mut capacity = Capacity {
            max,
            ..Capacity::default()
        };
        for (day, rule) in (1..).zip(capacity.weekdays.iter_mut()) {
            let option = format!("_capacity_{day}");
            if let Some(text) = options.get(&option) {
                *rule = Capacity::parse_weekday(day, text)
                    .map_err(|e| ConfigError::new(&option, e.to_string()))?;
            }
        }
        if let Some(text) = options.get("_capacity_add") {
            capacity.dates = Capacity::parse_dates(text)
                .map_err(|e| ConfigError::new("_capacity_add", e.to_string()))?;
        }
        Ok(capacity)
    }

    /// The zone of a capacity service (its `_timezone`).
    pub fn capacity_zone(&self, service: &str) -> Result<Zone, ConfigError> {
        zone_option(self.service_section(service, ServiceKind::Capacity, "_capacity_service")?)
    }

    /// A request-access service's numbers and options.
    pub fn request_access(&self, service: &str) -> Result<RequestAccess, ConfigError> {
        let options = self.service_section(
            service,
            ServiceKind::RequestAccess,
            "_request_access_service",
        )?;
        let reader = Reader {
            service: options,
            global: &Options::new(),
        };
        Ok(RequestAccess {
            numbers: access_numbers(options)?,
            provide_code: reader.bool("_provide_code", false)?,
            ttl_secs: reader.number("_ttl", 30, 1..=86_400)?,
        })
    }

    /// The request-access service a match-interaction service looks in
    /// (`_request_access_service` **[ext]**, default `request-access`).
    pub fn holds_of(&self, match_service: &str) -> String {
        self.service_option(match_service, "_request_access_service")
            .filter(|s| !s.is_empty())
            .unwrap_or("request-access")
            .to_string()
    }

    /// A callback service, fully resolved.
    pub fn callback_service(&self, service: &str) -> Result<CallbackService, ConfigError> {
        let options = self.service_section(service, ServiceKind::Callback, "_service")?;
        let empty = Options::new();
        let global = self.sections.get(GLOBAL).unwrap_or(&empty);
        CallbackService::read(
            service,
            self,
            &Reader {
                service: options,
                global,
            },
        )
    }
}

fn service_name(section: &str) -> Option<&str> {
    section.strip_prefix(SERVICE_PREFIX)
}

pub fn valid_service_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn zone_option(options: &Options) -> Result<Zone, ConfigError> {
    Zone::parse(options.get("_timezone").map(String::as_str).unwrap_or(""))
        .map_err(|e| ConfigError::new("_timezone", e.to_string()))
}

fn max_capacity(options: &Options) -> Result<u32, ConfigError> {
    Reader {
        service: options,
        global: &Options::new(),
    }
    .number("_max_capacity", 1000, 0..=1_000_000)
}

fn access_numbers(options: &Options) -> Result<Vec<String>, ConfigError> {
    let text = options
        .get("_access_numbers")
        .map(String::as_str)
        .unwrap_or("");
    let numbers: Vec<String> = params::list(text);
    match numbers.iter().find(|n| !crate::phone::is_e164(n)) {
        Some(bad) => Err(ConfigError::new(
            "_access_numbers",
            format!("`{bad}` is not an E.164 number such as +18005550100"),
        )),
        None => Ok(numbers),
    }
}

/// Reads typed options with the precedence service > section `callback` > default.
struct Reader<'a> {
    service: &'a Options,
    global: &'a Options,
}

impl Reader<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.service
            .get(name)
            .or_else(|| self.global.get(name))
            .or_else(|| {
                name.strip_prefix('_')
                    .and_then(|bare| self.global.get(bare))
            })
            .map(|s| s.trim())
    }

    fn text(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or(default).to_string()
    }

    fn bool(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None | Some("") => Ok(default),
            Some("true" | "1" | "yes") => Ok(true),
            Some("false" | "0" | "no") => Ok(false),
            Some(other) => Err(ConfigError::new(
                name,
                format!("`{other}` is not true or false"),
            )),
        }
    }

    fn number(
        &self,
        name: &str,
        default: u32,
        range: std::ops::RangeInclusive<u32>,
    ) -> Result<u32, ConfigError> {
        let Some(text) = self.get(name).filter(|t| !t.is_empty()) else {
            return Ok(default);
        };
        text.parse::<u32>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                ConfigError::new(
                    name,
                    format!(
                        "`{text}` is not a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                )
            })
    }

    fn choice<T: Copy>(
        &self,
        name: &str,
        default: T,
        choices: &[(&str, T)],
    ) -> Result<T, ConfigError> {
        let Some(text) = self.get(name).filter(|t| !t.is_empty()) else {
            return Ok(default);
        };
        choices
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(text))
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let names: Vec<&str> = choices.iter().map(|(k, _)| *k).collect();
                ConfigError::new(name, format!("`{text}` is not one of {}", names.join(", ")))
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Direction {
    #[serde(rename = "USERTERMINATED")]
    UserTerminated,
    #[serde(rename = "USERORIGINATED")]
    UserOriginated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FirstParty {
    #[serde(rename = "CUSTOMER")]
    Customer,
    #[serde(rename = "AGENT")]
    Agent,
}

/// `_enable_in_queue_checking`: how many open callbacks one number may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InQueueCheck {
    Off,
    /// `true`: at most two.
    Two,
    /// `strict`: at most one.
    One,
}

/// `_reject_future_desired_time`: `<n><unit>`, unit y, M, w, d, h or m.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    pub count: u32,
    pub unit: char,
}

impl Horizon {
    pub fn parse(text: &str) -> Option<Horizon> {
        let text = text.trim();
        let unit = text.chars().last()?;
        let digits = text.strip_suffix(unit)?;
        let count = if digits.is_empty() {
            1
        } else {
            digits.parse().ok()?
        };
        (matches!(unit, 'y' | 'M' | 'w' | 'd' | 'h' | 'm') && count > 0 && count <= 1000)
            .then_some(Horizon { count, unit })
    }

    /// The latest desired time accepted at `now`.
    pub fn limit(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let n = i64::from(self.count);
        let later = match self.unit {
            'y' => now.checked_add_months(Months::new(self.count.saturating_mul(12))),
            'M' => now.checked_add_months(Months::new(self.count)),
            'w' => now.checked_add_signed(Duration::weeks(n)),
            'd' => now.checked_add_signed(Duration::days(n)),
            'h' => now.checked_add_signed(Duration::hours(n)),
            _ => now.checked_add_signed(Duration::minutes(n)),
        };
        later.unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

impl std::fmt::Display for Horizon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.count, self.unit)
    }
}

/// A throttle window: at most `limit` accepted creates in `seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: u32,
    pub seconds: u32,
}

/// Queue limits and throttles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub max_queued: u32,
    pub in_queue: InQueueCheck,
    pub windows: [Window; 2],
    pub throttle_parameters: Vec<String>,
    pub per_parameter_daily: u32,
    /// `_client_rate_limit` **[ext]**: requests per seconds per client IP.
    pub client_rate: Window,
    /// `_number_rate_limit` **[ext]**: public creates per seconds per customer number (a burst
    /// limit answered 429; the daily limit above is GMS's 503).
    pub number_rate: Window,
}

impl Limits {
    fn read(r: &Reader) -> Result<Limits, ConfigError> {
        let rate = |option: &str, default: Window| match r.get(option).filter(|t| !t.is_empty()) {
            None => Ok(default),
            Some(text) => text
                .split_once('/')
                .and_then(|(n, s)| {
                    Some(Window {
                        limit: n.trim().parse().ok()?,
                        seconds: s.trim().parse().ok()?,
                    })
                })
                .filter(|w| w.limit > 0 && (1..=86_400).contains(&w.seconds))
                .ok_or_else(|| {
                    ConfigError::new(
                        option,
                        format!("`{text}` is not requests/seconds such as 120/60"),
                    )
                }),
        };
        Ok(Limits {
            max_queued: r.number("_max_queued_callbacks_per_service", 1000, 0..=10_000_000)?,
            in_queue: r.choice(
                "_enable_in_queue_checking",
                InQueueCheck::Two,
                &[
                    ("true", InQueueCheck::Two),
                    ("strict", InQueueCheck::One),
                    ("false", InQueueCheck::Off),
                ],
            )?,
            windows: [
                Window {
                    limit: r.number("_throttle_callbacks_per_service_1", 500, 0..=10_000_000)?,
                    seconds: r.number("_throttle_ttl_1", 300, 1..=86_400)?,
                },
                Window {
                    limit: r.number("_throttle_callbacks_per_service_2", 1000, 0..=10_000_000)?,
                    seconds: r.number("_throttle_ttl_2", 3600, 1..=86_400)?,
                },
            ],
            throttle_parameters: params::list(
                &r.text("_throttle_request_parameters", "_customer_number"),
            ),
            per_parameter_daily: r.number(
                "_throttle_request_parameters_limit",
                6,
                0..=1_000_000,
            )?,
            client_rate: rate(
                "_client_rate_limit",
                Window {
                    limit: 120,
                    seconds: 60,
                },
            )?,
            number_rate: rate(
                "_number_rate_limit",
                Window {
                    limit: 5,
                    seconds: 60,
                },
            )?,
        })
    }
}

/// Where and when callbacks may be booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub bucket_minutes: u32,
    pub office: OfficeHours,
    /// Set when `_business_hours_service` names a service.
    pub has_office_hours: bool,
    pub capacity: Option<Capacity>,
    pub max_per_bucket: u32,
    /// Buckets start at local midnight of this zone.
    pub zone: Zone,
    pub horizon: Horizon,
    pub reject_out_of_office_hours: bool,
    pub execution_buffer_secs: u32,
    /// `_reject_past_desired_time`: a desired time this many seconds or less before now means
    /// "as soon as possible" (clients send their own clock's now, which arrives a little late).
    pub past_tolerance_secs: u32,
}

impl Schedule {
    /// Whether callbacks may be served now: always, without office hours.
    pub fn is_open_now(&self, now: DateTime<Utc>) -> bool {
        !self.has_office_hours || self.office.period_at(now).is_some()
    }
}

/// The scenario options: the selectors (which a request may override) and the timings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioOptions {
    pub direction: Direction,
    pub media_type: String,
    pub wait_for_agent: bool,
    pub wait_for_user_confirm: bool,
    pub first_party: FirstParty,
    pub agent_preview: bool,
    pub agent_preview_timeout: u32,
    /// 0 = an agent may reject without limit.
    pub agent_preview_allow_reject: u32,
    pub agent_preview_data: Vec<String>,
    pub user_confirm_timeout: u32,
    pub connect_on_confirm_timeout: bool,
    pub max_confirm_attempts: u32,
    pub enable_disposition: bool,
    pub disposition_timeout: u32,
    pub max_dial_attempts: u32,
    pub dial_retry_timeout: u32,
    pub ttl_secs: u32,
    /// `_retention_days` **[ext]**: a completed callback is purged this many days after it ended,
    /// even when `_ttl` would keep it longer (personal data is kept no longer than it serves).
    pub retention_days: u32,
    pub paused: bool,
    pub dialer_url: Option<String>,
    /// `_telephony=twilio` **[ext]**: Twilio places the calls (instead of a dialer or the agents).
    pub twilio: Option<Twilio>,
    /// Texts to the customer through the telephony provider **[ext]**.
    pub texts: Texts,
}

/// Which texts (SMS) the customer gets **[ext]**; none by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Texts {
    /// `_sms_confirmation`: when the callback is booked, with its time and the manage link.
    pub confirmation: bool,
    /// `_sms_reminder`: seconds before a scheduled callback's time (0: no reminder).
    pub reminder_secs: u32,
    /// `_sms_calling`: when the first call to the customer starts.
    pub calling: bool,
}

impl Texts {
    pub fn any(&self) -> bool {
        self.confirmation || self.reminder_secs > 0 || self.calling
    }
}

/// The Twilio voice connector's options **[ext]**. Its auth token is the deployment's secret
/// `TWILIO_AUTH_TOKEN`, never an option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Twilio {
    /// `_twilio_account_sid`: `AC` and 32 hexadecimal digits.
    pub account_sid: String,
    /// `_twilio_caller_id`: the E.164 number the customer sees (a number of the account).
    pub caller_id: String,
    /// `_twilio_ring_timeout`: seconds a phone rings before the dial counts as not answered.
    pub ring_timeout: u32,
    /// `_twilio_machine_detection`: an answering machine counts as ANSWERING_MACHINE.
    pub machine_detection: bool,
    /// `_telephony_language`: what callers hear and texts say (en, fr, de, es).
    pub language: String,
    /// `_twilio_sms_from`: the E.164 number texts come from (default: the caller id).
    pub sms_from: String,
}

/// Status notifications (`_cbe_on_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notifications {
    pub target: Option<String>,
    /// Empty = every event.
    pub events: Vec<String>,
    /// `_webhook_secret` **[ext]**: signs notifications (empty: the deployment's secret).
    pub secret: String,
}

impl Notifications {
    pub fn wants(&self, event: &str) -> bool {
        self.target.is_some() && (self.events.is_empty() || self.events.iter().any(|e| e == event))
    }
}

/// A callback service, every option typed and defaulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackService {
    pub name: String,
    pub scenario: ScenarioOptions,
    pub schedule: Schedule,
    pub limits: Limits,
    pub phone: PhonePolicy,
    pub lookup_keys: Vec<String>,
    pub mandatory_lookup_keys: Vec<String>,
    pub notifications: Notifications,
    pub allowed_origins: Vec<String>,
    pub offer_ewt_threshold: u32,
    /// `_average_handle_time` **[ext]**: seconds an agent spends on a callback, until measured.
    pub average_handle_secs: u32,
    pub request_access_service: String,
    pub match_interaction_service: String,
}

pub const NOTIFICATION_EVENTS: [&str; 11] = [
    "_cbe_on_callback_scheduled",
    "_cbe_on_callback_rescheduled",
    "_cbe_on_callback_queued",
    "_cbe_on_callback_submitted",
    "_cbe_on_callback_cancelled",
    "_cbe_on_callback_status_updated",
    "_cbe_on_target_found",
    "_cbe_on_dial_init",
    "_cbe_on_dial_done",
    "_cbe_on_route_to_agent",
    "_cbe_on_service_exit",
];

impl CallbackService {
    fn read(name: &str, config: &Config, r: &Reader) -> Result<CallbackService, ConfigError> {
        let business_hours = r.text("_business_hours_service", "");
        let capacity_service = r.text("_capacity_service", "");
        let office = if business_hours.is_empty() {
            OfficeHours::always_open()
        } else {
            config.office_hours(&business_hours)?
        };
        let (capacity, capacity_zone) = if capacity_service.is_empty() {
            (None, None)
        } else {
            (
                Some(config.capacity(&capacity_service)?),
                Some(config.capacity_zone(&capacity_service)?),
            )
        };
        let horizon_text = r.text("_reject_future_desired_time", "1M");
        let horizon = Horizon::parse(&horizon_text).ok_or_else(|| {
            ConfigError::new(
                "_reject_future_desired_time",
                format!("`{horizon_text}` is not <n><unit> with unit y, M, w, d, h or m"),
            )
        })?;
        let bucket_minutes = r.number("_request_time_bucket", 5, 5..=120)?;
        if ![5, 10, 15, 20, 30, 60, 120].contains(&bucket_minutes) {
            return Err(ConfigError::new(
                "_request_time_bucket",
                format!("`{bucket_minutes}` is not one of 5, 10, 15, 20, 30, 60, 120"),
            ));
        }
        let schedule = Schedule {
            bucket_minutes,
            has_office_hours: !business_hours.is_empty(),
            zone: capacity_zone.unwrap_or(office.zone),
            office,
            capacity,
            max_per_bucket: r.number("_max_request_by_time_bucket", 100, 0..=1_000_000)?,
            horizon,
            reject_out_of_office_hours: r.bool("_enable_reject_out_of_office_hours", false)?,
            execution_buffer_secs: r.number("_request_execution_time_buffer", 120, 0..=86_400)?,
            past_tolerance_secs: r.number("_reject_past_desired_time", 300, 0..=86_400)?,
        };
        let dialer_url = r.text("_dialer_url", "");
        if !dialer_url.is_empty() && !is_webhook_url(&dialer_url) {
            return Err(ConfigError::new("_dialer_url", WEBHOOK_URL));
        }
        let twilio = match r.text("_telephony", "").as_str() {
            "" | "dialer" | "agent" => None,
            "twilio" => Some(Twilio::read(r)?),
            other => {
                return Err(ConfigError::new(
                    "_telephony",
                    format!(
                        "`{other}`: say twilio, or leave it empty (a _dialer_url, or agents dial)"
                    ),
                ))
            }
        };
        if twilio.is_some() && !dialer_url.is_empty() {
            return Err(ConfigError::new(
                "_telephony",
                "twilio places the calls: remove _dialer_url (one or the other)",
            ));
        }
        let texts = Texts {
            confirmation: r.bool("_sms_confirmation", false)?,
            reminder_secs: r.number("_sms_reminder", 0, 0..=604_800)?,
            calling: r.bool("_sms_calling", false)?,
        };
        if texts.any() && twilio.is_none() {
            return Err(ConfigError::new(
                "_telephony",
                "texts (_sms_*) go through the telephony provider: set _telephony",
            ));
        }
        let scenario = ScenarioOptions {
            direction: r.choice(
                "_call_direction",
                Direction::UserTerminated,
                &[
                    ("USERTERMINATED", Direction::UserTerminated),
                    ("USERORIGINATED", Direction::UserOriginated),
                ],
            )?,
            media_type: match r.get("_media_type").filter(|t| !t.is_empty()) {
                Some(text) => media_type(text).map_err(|m| ConfigError::new("_media_type", m))?,
                None => "voice",
            }
            .to_string(),
            wait_for_agent: r.bool("_wait_for_agent", false)?,
            wait_for_user_confirm: r.bool("_wait_for_user_confirm", false)?,
            first_party: r.choice(
                "_userterminated_first_connect_party",
                FirstParty::Customer,
                &[
                    ("CUSTOMER", FirstParty::Customer),
                    ("AGENT", FirstParty::Agent),
                ],
            )?,
            agent_preview: r.bool("_agent_preview", false)?,
            agent_preview_timeout: r.number("_agent_preview_timeout", 30, 1..=3600)?,
            agent_preview_allow_reject: r.number("_agent_preview_allow_reject", 0, 0..=1000)?,
            agent_preview_data: params::list(&r.text("_agent_preview_data", "")),
            user_confirm_timeout: r.number("_user_confirm_timeout", 30, 1..=3600)?,
            connect_on_confirm_timeout: r
                .text("_on_user_confirm_timeout", "CONNECT-ANYWAY")
                .eq_ignore_ascii_case("CONNECT-ANYWAY"),
            max_confirm_attempts: r.number(
                "_max_number_of_user_availability_confirmation_attempts",
                3,
                1..=100,
            )?,
            enable_disposition: r.bool("_enable_disposition_dialog", false)?,
            disposition_timeout: r.number("_agent_disposition_timeout", 45, 1..=3600)?,
            max_dial_attempts: r.number("_max_dial_attempts", 3, 1..=100)?,
            dial_retry_timeout: r.number("_dial_retry_timeout", 300, 0..=86_400)?,
            ttl_secs: r.number("_ttl", 86_400, 1..=31_536_000)?,
            retention_days: r.number("_retention_days", 30, 1..=3650)?,
            paused: r.bool("_paused", false)?,
            dialer_url: Some(dialer_url).filter(|u| !u.is_empty()),
            twilio,
            texts,
        };
        let country_text = r.text("_default_country", "US");
        let phone = PhonePolicy {
            default_country: Country::from_iso(&country_text).ok_or_else(|| {
                let known: Vec<&str> = Country::all().iter().map(|c| c.iso).collect();
                ConfigError::new(
                    "_default_country",
                    format!("`{country_text}` is not one of {}", known.join(", ")),
                )
            })?,
            disallow_impossible: r.bool("_disallow_impossible_phone_numbers", true)?,
            disallow_premium: r.bool("_disallow_premium_phone_numbers", true)?,
        };
        let lookup_keys = params::list(&r.text("_customer_lookup_keys", "_customer_number"));
        let mandatory_lookup_keys =
            params::list(&r.text("_mandatory_customer_lookup_keys", "_customer_number"));
        if let Some(k) = mandatory_lookup_keys
            .iter()
            .find(|k| !lookup_keys.contains(k))
        {
            return Err(ConfigError::new(
                "_mandatory_customer_lookup_keys",
                format!("`{k}` is not in _customer_lookup_keys"),
            ));
        }
        let notify = r.text("_enable_status_notification", "false");
        let target = r.text("_status_notification_target", "");
        let notifications = Notifications {
            target: match notify.as_str() {
                "false" | "" => None,
                "subscribe_notify" | "true" if is_webhook_url(&target) => Some(target),
                "subscribe_notify" | "true" => {
                    return Err(ConfigError::new(
                        "_status_notification_target",
                        format!("{WEBHOOK_URL} when notifications are on"),
                    ))
                }
                other => {
                    return Err(ConfigError::new(
                        "_enable_status_notification",
                        format!("`{other}` is not subscribe_notify or false"),
                    ))
                }
            },
            events: params::list(&r.text("_callback_events_list", "")),
            secret: r.text("_webhook_secret", ""),
        };
        if let Some(e) = notifications
            .events
            .iter()
            .find(|e| !NOTIFICATION_EVENTS.contains(&e.as_str()))
        {
            return Err(ConfigError::new(
                "_callback_events_list",
                format!("unknown event `{e}`"),
            ));
        }
        Ok(CallbackService {
            name: name.to_string(),
            scenario,
            schedule,
            limits: Limits::read(r)?,
            phone,
            lookup_keys,
            mandatory_lookup_keys,
            notifications,
            allowed_origins: params::list(&r.text("_allowed_origins", "")),
            offer_ewt_threshold: r.number("_offer_callback_ewt_threshold", 300, 0..=86_400)?,
            average_handle_secs: r.number("_average_handle_time", 300, 1..=86_400)?,
            request_access_service: r.text("_request_access_service", "request-access"),
            match_interaction_service: r.text("_match_interaction_service", "match-interaction"),
        })
    }

    /// The limit of a bucket starting at `start`.
    pub fn bucket_limit(&self, start: DateTime<Utc>) -> u32 {
        match &self.schedule.capacity {
            Some(capacity) => capacity.at(self.schedule.zone.to_local(start)),
            None => self.schedule.max_per_bucket,
        }
    }
}

/// `_media_type`, of a section or a request. Only voice callbacks are served: chat (CHAT.md) is
/// refused rather than taken and then handled as a call.
pub fn media_type(text: &str) -> Result<&'static str, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "voice" => Ok("voice"),
        "chat" => Err("chat callbacks are not available yet: only voice is served".into()),
        other => Err(format!("`{other}` is not voice")),
    }
}

/// Where webhooks (dials, status notifications) may be sent: `https://`, or plain `http://` only to
/// this machine (development). No credentials in the URL.
impl ScenarioOptions {
    /// Whether calls are placed for the agents (by a dialer or a telephony provider), rather than
    /// dialled by the agents themselves.
    pub fn places_calls(&self) -> bool {
        self.dialer_url.is_some() || self.twilio.is_some()
    }
}

impl Twilio {
    fn read(r: &Reader) -> Result<Twilio, ConfigError> {
        let account_sid = r.text("_twilio_account_sid", "");
        let hex = account_sid.strip_prefix("AC").unwrap_or("");
        if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ConfigError::new(
                "_twilio_account_sid",
                "your Twilio account's SID: AC and 32 hexadecimal digits",
            ));
        }
        let caller_id = r.text("_twilio_caller_id", "");
        if !crate::phone::is_e164(&caller_id) {
            return Err(ConfigError::new(
                "_twilio_caller_id",
                "a number of your Twilio account in E.164 (+15005550006)",
            ));
        }
        let sms_from = r.text("_twilio_sms_from", &caller_id);
        if !crate::phone::is_e164(&sms_from) {
            return Err(ConfigError::new(
                "_twilio_sms_from",
                "a number of your Twilio account that sends texts, in E.164",
            ));
        }
        Ok(Twilio {
            account_sid,
            caller_id,
            sms_from,
            ring_timeout: r.number("_twilio_ring_timeout", 30, 5..=600)?,
            machine_detection: r.bool("_twilio_machine_detection", true)?,
            language: r.text("_telephony_language", "en"),
        })
    }
}

fn is_webhook_url(url: &str) -> bool {
    let (secure, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        _ => return false,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    let local = host.eq_ignore_ascii_case("localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    !host.is_empty()
        && !authority.contains('@')
        && !url.contains(char::is_whitespace)
        && (secure || local)
}

const WEBHOOK_URL: &str =
    "must be an https:// URL (plain http:// only to localhost, for development)";

/// A request-access service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestAccess {
    pub numbers: Vec<String>,
    pub provide_code: bool,
    pub ttl_secs: u32,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn options(pairs: &[(&str, &str)]) -> Options {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The demo's web callback service: Paris office hours and hourly capacity, 15-minute buckets.
    pub fn demo_config() -> Config {
        let mut config = Config::new();
        config
            .put(
                "service.office-paris",
                options(&[
                    ("_type", "builtin"),
                    ("_service", "office-hours"),
                    ("_timezone", "Europe/Paris"),
                    ("_bh_regular1", "Mon-Fri 08:00-20:00"),
                    ("_bh_regular2", "Sat 09:00-13:00"),
                    ("_holiday1", "12-25"),
                ]),
            )
            .unwrap();
        config
            .put(
                "service.capacity-paris",
                options(&[
                    ("_type", "builtin"),
                    ("_service", "capacity"),
                    ("_timezone", "Europe/Paris"),
                    ("_capacity_1", r#"{"1":{"0800":2,"0900":3,"1000":3,"1100":3,"1200":1,"1300":1,"1400":3,"1500":3,"1600":3,"1700":2,"1800":2,"1900":1}}"#),
                    ("_capacity_6", r#"{"6":{"0900":1,"1000":2,"1100":2,"1200":1}}"#),
                ]),
            )
            .unwrap();
        config
            .put(
                "service.callback-web",
                options(&[
                    ("_type", "ors"),
                    ("_service", "callback"),
                    ("_business_hours_service", "office-paris"),
                    ("_capacity_service", "capacity-paris"),
                    ("_request_time_bucket", "15"),
                    ("_default_country", "FR"),
                ]),
            )
            .unwrap();
        config
    }

    #[test]
    fn defaults_are_those_of_the_contract() {
        let mut config = Config::new();
        config
            .put(
                "service.cb",
                options(&[("_type", "ors"), ("_service", "callback")]),
            )
            .unwrap();
        let s = config.callback_service("cb").unwrap();
        assert_eq!(s.scenario.direction, Direction::UserTerminated);
        assert!(!s.scenario.wait_for_agent && !s.scenario.agent_preview);
        assert_eq!(
            (
                s.scenario.agent_preview_timeout,
                s.scenario.disposition_timeout,
                s.scenario.ttl_secs
            ),
            (30, 45, 86_400)
        );
        assert_eq!(
            (s.scenario.max_dial_attempts, s.scenario.dial_retry_timeout),
            (3, 300)
        );
        assert_eq!(
            (
                s.schedule.bucket_minutes,
                s.schedule.max_per_bucket,
                s.schedule.execution_buffer_secs
            ),
            (5, 100, 120)
        );
        assert_eq!(
            s.schedule.horizon,
            Horizon {
                count: 1,
                unit: 'M'
            }
        );
        assert_eq!(s.limits.max_queued, 1000);
        assert_eq!(s.limits.in_queue, InQueueCheck::Two);
        assert_eq!(
            s.limits.windows,
            [
                Window {
                    limit: 500,
                    seconds: 300
                },
                Window {
                    limit: 1000,
                    seconds: 3600
                }
            ]
        );
        assert_eq!(
            (s.limits.per_parameter_daily, s.limits.client_rate),
            (
                6,
                Window {
                    limit: 120,
                    seconds: 60
                }
            )
        );
        assert_eq!(
            s.limits.number_rate,
            Window {
                limit: 5,
                seconds: 60
            }
        );
        assert_eq!(s.phone.default_country.iso, "US");
        assert!(s.phone.disallow_impossible && s.phone.disallow_premium);
        assert_eq!(s.lookup_keys, ["_customer_number"]);
        assert!(s.notifications.target.is_none() && s.allowed_origins.is_empty());
        assert_eq!(s.offer_ewt_threshold, 300);
    }

    #[test]
    fn only_voice_is_served() {
        let mut config = Config::new();
        for (value, refused) in [
            ("voice", None),
            ("VOICE", None),
            ("chat", Some("chat callbacks are not available yet")),
            ("fax", Some("`fax` is not voice")),
        ] {
            let put = config.put(
                "service.m",
                options(&[
                    ("_type", "ors"),
                    ("_service", "callback"),
                    ("_media_type", value),
                ]),
            );
            match refused {
                None => assert_eq!(
                    config.callback_service("m").unwrap().scenario.media_type,
                    "voice"
                ),
                Some(message) => {
                    let e = put
                        .err()
                        .or_else(|| config.callback_service("m").err())
                        .unwrap();
                    assert_eq!(e.option, "_media_type");
                    assert!(e.message.contains(message), "{value}: {}", e.message);
                }
            }
        }
    }

    #[test]
    fn service_beats_global_beats_default() {
        let mut config = Config::new();
        config
            .put(
                GLOBAL,
                options(&[
                    ("max_queued_callbacks_per_service", "7"),
                    ("_throttle_ttl_1", "60"),
                    ("_max_dial_attempts", "5"),
                ]),
            )
            .unwrap();
        config
            .put(
                "service.cb",
                options(&[("_service", "callback"), ("_max_dial_attempts", "2")]),
            )
            .unwrap();
        let s = config.callback_service("cb").unwrap();
        assert_eq!(s.limits.max_queued, 7);
        assert_eq!(s.limits.windows[0].seconds, 60);
        assert_eq!(s.scenario.max_dial_attempts, 2);
    }

    #[test]
    fn webhooks_go_to_https_or_to_this_machine() {
        for good in [
            "https://dialer.example.com/dial",
            "https://10.0.0.5:8443/x",
            "http://localhost:9000/hook",
            "http://127.0.0.1:35111/",
            "http://[::1]:80/x",
        ] {
            assert!(is_webhook_url(good), "{good}");
        }
        for bad in [
            "http://dialer.example.com/dial",
            "http://127.evil.example/x",
            "http://localhost.evil.example/",
            "https://user:pw@dialer.example.com/",
            "ftp://x",
            "https://",
            "https:// spaced.example",
            "javascript:alert(1)",
            "http://10.0.0.5/x",
        ] {
            assert!(!is_webhook_url(bad), "{bad}");
        }
        let mut config = demo_config();
        let err = config
            .put(
                "service.x",
                options(&[
                    ("_service", "callback"),
                    ("_dialer_url", "http://dialer.example.com/dial"),
                ]),
            )
            .unwrap_err();
        assert_eq!(err.option, "_dialer_url");
    }

    #[test]
    fn twilio_places_calls_with_an_account_sid_and_a_caller_id() {
        let mut config = demo_config();
        let sid = "AC0123456789abcdef0123456789abcdef";
        let put = |config: &mut Config, extra: &[(&str, &str)]| {
            let mut pairs = vec![("_service", "callback"), ("_telephony", "twilio")];
            pairs.extend_from_slice(extra);
            config.put("service.t", options(&pairs)).map(|_| ())
        };
        let fails = |config: &mut Config, extra: &[(&str, &str)]| {
            put(config, extra)
                .err()
                .map(|e| e.option)
                .unwrap_or_default()
        };
        assert_eq!(
            fails(&mut config, &[("_twilio_caller_id", "+15005550006")]),
            "_twilio_account_sid"
        );
        assert_eq!(
            fails(&mut config, &[("_twilio_account_sid", "AC12")]),
            "_twilio_account_sid"
        );
        assert_eq!(
            fails(
                &mut config,
                &[
                    ("_twilio_account_sid", sid),
                    ("_twilio_caller_id", "5550006")
                ]
            ),
            "_twilio_caller_id"
        );
        let both = [
            ("_twilio_account_sid", sid),
            ("_twilio_caller_id", "+15005550006"),
            ("_dialer_url", "https://dialer.example.com/"),
        ];
        assert_eq!(fails(&mut config, &both), "_telephony");
        let ok = [
            ("_twilio_account_sid", sid),
            ("_twilio_caller_id", "+15005550006"),
            ("_twilio_ring_timeout", "20"),
            ("_telephony_language", "fr"),
        ];
        assert_eq!(put(&mut config, &ok), Ok(()));
        let twilio = config
            .callback_service("t")
            .ok()
            .and_then(|s| s.scenario.twilio);
        assert_eq!(
            twilio,
            Some(Twilio {
                account_sid: sid.into(),
                caller_id: "+15005550006".into(),
                ring_timeout: 20,
                machine_detection: true,
                language: "fr".into(),
                sms_from: "+15005550006".into(),
            })
        );
        let texting = [
            ("_sms_reminder", "3600"),
            ("_twilio_sms_from", "+15005550007"),
        ];
        assert_eq!(put(&mut config, &[&ok[..], &texting[..]].concat()), Ok(()));
        let texts = config.callback_service("t").map(|s| s.scenario.texts);
        assert_eq!(texts.map(|t| (t.reminder_secs, t.any())), Ok((3600, true)));
        let bad_from = [("_twilio_sms_from", "tomorrow")];
        assert_eq!(
            fails(&mut config, &[&ok[..], &bad_from[..]].concat()),
            "_twilio_sms_from"
        );
        let mut other = demo_config();
        let err = other.put(
            "service.u",
            options(&[("_service", "callback"), ("_telephony", "carrier-pigeon")]),
        );
        assert_eq!(err.err().map(|e| e.option).as_deref(), Some("_telephony"));
        let texts_alone = options(&[("_service", "callback"), ("_sms_confirmation", "true")]);
        let err = other.put("service.u", texts_alone);
        assert_eq!(err.err().map(|e| e.option).as_deref(), Some("_telephony"));
    }

    #[test]
    fn errors_name_the_option() {
        let mut config = demo_config();
        let put = |config: &mut Config, pairs: &[(&str, &str)]| {
            config.put("service.x", options(pairs)).unwrap_err().option
        };
        assert_eq!(
            put(
                &mut config,
                &[
                    ("_service", "office-hours"),
                    ("_bh_regular3", "Mon-Fri 9-5")
                ]
            ),
            "_bh_regular3"
        );
        assert_eq!(
            put(
                &mut config,
                &[("_service", "office-hours"), ("_timezone", "Mars/Base")]
            ),
            "_timezone"
        );
        assert_eq!(
            put(
                &mut config,
                &[("_service", "capacity"), ("_capacity_2", "{\"2\": 3}")]
            ),
            "_capacity_2"
        );
        assert_eq!(
            put(
                &mut config,
                &[("_service", "callback"), ("_request_time_bucket", "7")]
            ),
            "_request_time_bucket"
        );
        assert_eq!(
            put(
                &mut config,
                &[("_service", "callback"), ("_ttl", "forever")]
            ),
            "_ttl"
        );
        assert_eq!(
            put(
                &mut config,
                &[("_service", "callback"), ("_wait_for_agent", "maybe")]
            ),
            "_wait_for_agent"
        );
        assert_eq!(
            put(
                &mut config,
                &[
                    ("_service", "callback"),
                    ("_reject_future_desired_time", "1x")
                ]
            ),
            "_reject_future_desired_time"
        );
        assert_eq!(
            put(
                &mut config,
                &[
                    ("_service", "callback"),
                    ("_business_hours_service", "nowhere")
                ]
            ),
            "_business_hours_service"
        );
        assert_eq!(
            put(
                &mut config,
                &[
                    ("_service", "callback"),
                    ("_capacity_service", "office-paris")
                ]
            ),
            "_capacity_service"
        );
        assert_eq!(
            put(
                &mut config,
                &[("_service", "callback"), ("_default_country", "ZZ")]
            ),
            "_default_country"
        );
        assert_eq!(
            put(
                &mut config,
                &[
                    ("_service", "callback"),
                    ("_enable_in_queue_checking", "sometimes")
                ]
            ),
            "_enable_in_queue_checking"
        );
        assert_eq!(
            put(
                &mut config,
                &[("_service", "callback"), ("_client_rate_limit", "many")]
            ),
            "_client_rate_limit"
        );
        assert_eq!(
            put(
                &mut config,
                &[("_service", "callback"), ("_number_rate_limit", "0/60")]
            ),
            "_number_rate_limit"
        );
        assert_eq!(
            put(
                &mut config,
                &[
                    ("_service", "callback"),
                    ("_callback_events_list", "_cbe_on_lunch")
                ]
            ),
            "_callback_events_list"
        );
        assert_eq!(
            put(
                &mut config,
                &[
                    ("_service", "request-access"),
                    ("_access_numbers", "+1800,12")
                ]
            ),
            "_access_numbers"
        );
        assert_eq!(put(&mut config, &[("_service", "teleport")]), "_service");
        assert_eq!(
            config
                .put("service.a/b", options(&[("_service", "callback")]))
                .unwrap_err()
                .option,
            "section"
        );
        assert!(
            config.section("service.x").is_none(),
            "a refused section is not stored"
        );
    }

    #[test]
    fn sections_in_use_cannot_break_their_users() {
        let mut config = demo_config();
        assert_eq!(
            config.delete("service.office-paris").unwrap_err().option,
            "_business_hours_service"
        );
        let err = config
            .put(
                "service.capacity-paris",
                options(&[("_service", "office-hours")]),
            )
            .unwrap_err();
        assert_eq!(err.option, "_capacity_service");
        assert!(config.delete("service.callback-web").unwrap());
        assert!(config.delete("service.office-paris").unwrap());
        assert!(!config.delete("service.office-paris").unwrap());
    }

    #[test]
    fn unknown_options_are_kept_and_ignored() {
        let mut config = Config::new();
        config
            .put(
                "service.cb",
                options(&[
                    ("_service", "callback"),
                    ("_vq", "VQ_1"),
                    ("colour", "blue"),
                ]),
            )
            .unwrap();
        assert_eq!(
            config
                .section("service.cb")
                .unwrap()
                .get("colour")
                .map(String::as_str),
            Some("blue")
        );
        assert!(config.callback_service("cb").is_ok());
    }

    #[test]
    fn bucket_zone_is_the_capacity_zone_else_the_office_zone() {
        let s = demo_config().callback_service("callback-web").unwrap();
        assert_eq!(s.schedule.zone.name(), "Europe/Paris");
        assert_eq!(s.schedule.bucket_minutes, 15);
        assert_eq!(s.phone.default_country.iso, "FR");
    }

    #[test]
    fn horizons() {
        let now = crate::iso::parse("2026-01-31T10:00:00Z").unwrap();
        assert_eq!(
            crate::iso::format(Horizon::parse("1M").unwrap().limit(now)),
            "2026-02-28T10:00:00.000Z"
        );
        assert_eq!(
            crate::iso::format(Horizon::parse("2w").unwrap().limit(now)),
            "2026-02-14T10:00:00.000Z"
        );
        assert_eq!(
            crate::iso::format(Horizon::parse("1y").unwrap().limit(now)),
            "2027-01-31T10:00:00.000Z"
        );
        assert_eq!(
            crate::iso::format(Horizon::parse("90m").unwrap().limit(now)),
            "2026-01-31T11:30:00.000Z"
        );
        assert!(
            Horizon::parse("M1").is_none()
                && Horizon::parse("").is_none()
                && Horizon::parse("0d").is_none()
        );
    }
}
