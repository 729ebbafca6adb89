//! A callback service's options, typed: its scenario, where and when it books, its limits.

use super::catalogue::{self as c, Opt};
use super::reader::Reader;
use super::webhooks::{self, Notifications};
use super::{Config, ConfigError, Texts, Twilio};
use crate::capacity::Capacity;
use crate::office_hours::OfficeHours;
use crate::params;
use crate::phone::{Country, PhonePolicy};
use crate::zone::Zone;
use chrono::{DateTime, Duration, Months, Utc};

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
    pub(super) fn read(r: &Reader) -> Result<Limits, ConfigError> {
        let rate = |o: &Opt| {
            let text = r.text(o);
            text.split_once('/')
                .and_then(|(n, s)| {
                    Some(Window {
                        limit: n.trim().parse().ok()?,
                        seconds: s.trim().parse().ok()?,
                    })
                })
                .filter(|w| w.limit > 0 && (1..=86_400).contains(&w.seconds))
                .ok_or_else(|| {
                    ConfigError::new(
                        o.name,
                        format!("`{text}` is not requests/seconds such as 120/60"),
                    )
                })
        };
        Ok(Limits {
            max_queued: r.number(&c::MAX_QUEUED)?,
            in_queue: match r.choice(&c::IN_QUEUE_CHECKING)? {
                "strict" => InQueueCheck::One,
                "false" => InQueueCheck::Off,
                _ => InQueueCheck::Two,
            },
            windows: [
                Window {
                    limit: r.number(&c::THROTTLE_1)?,
                    seconds: r.number(&c::THROTTLE_TTL_1)?,
                },
                Window {
                    limit: r.number(&c::THROTTLE_2)?,
                    seconds: r.number(&c::THROTTLE_TTL_2)?,
                },
            ],
            throttle_parameters: params::list(&r.text(&c::THROTTLE_PARAMETERS)),
            per_parameter_daily: r.number(&c::THROTTLE_PARAMETERS_LIMIT)?,
            client_rate: rate(&c::CLIENT_RATE_LIMIT)?,
            number_rate: rate(&c::NUMBER_RATE_LIMIT)?,
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
    /// `_max_chats_per_agent` **[ext]**: chats an agent of this service may hold at once.
    pub max_chats_per_agent: u32,
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
    /// `_on_time_window` **[ext]**: seconds after the promised time a first dial is on time.
    pub on_time_window: u32,
    /// `_average_handle_time` **[ext]**: seconds an agent spends on a callback, until measured.
    pub average_handle_secs: u32,
    pub request_access_service: String,
    pub match_interaction_service: String,
}

impl CallbackService {
    pub(super) fn read(
        name: &str,
        config: &Config,
        r: &Reader,
    ) -> Result<CallbackService, ConfigError> {
        let business_hours = r.text(&c::BUSINESS_HOURS_SERVICE);
        let capacity_service = r.text(&c::CAPACITY_SERVICE);
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
        let horizon_text = r.text(&c::FUTURE_HORIZON);
        let horizon = Horizon::parse(&horizon_text).ok_or_else(|| {
            ConfigError::new(
                c::FUTURE_HORIZON.name,
                format!("`{horizon_text}` is not <n><unit> with unit y, M, w, d, h or m"),
            )
        })?;
        // The catalogue's values are all whole minutes.
        let bucket_minutes = r.choice(&c::TIME_BUCKET)?.parse().unwrap_or(5);
        let schedule = Schedule {
            bucket_minutes,
            has_office_hours: !business_hours.is_empty(),
            zone: capacity_zone.unwrap_or(office.zone),
            office,
            capacity,
            max_per_bucket: r.number(&c::MAX_PER_BUCKET)?,
            horizon,
            reject_out_of_office_hours: r.bool(&c::REJECT_OUT_OF_HOURS)?,
            execution_buffer_secs: r.number(&c::EXECUTION_BUFFER)?,
            past_tolerance_secs: r.number(&c::PAST_TOLERANCE)?,
        };
        let dialer_url = webhooks::dialer_url(r)?;
        let twilio = match r.choice(&c::TELEPHONY)? {
            "twilio" => Some(Twilio::read(r)?),
            _ => None,
        };
        if twilio.is_some() && dialer_url.is_some() {
            return Err(ConfigError::new(
                c::TELEPHONY.name,
                "twilio places the calls: remove _dialer_url (one or the other)",
            ));
        }
        let texts = Texts::read(r)?;
        if texts.any() && twilio.is_none() {
            return Err(ConfigError::new(
                c::TELEPHONY.name,
                "texts (_sms_*) go through the telephony provider: set _telephony",
            ));
        }
        let scenario = ScenarioOptions {
            direction: match r.choice(&c::CALL_DIRECTION)? {
                "USERORIGINATED" => Direction::UserOriginated,
                _ => Direction::UserTerminated,
            },
            media_type: media_type(&r.text(&c::MEDIA_TYPE))
                .map_err(|m| ConfigError::new(c::MEDIA_TYPE.name, m))?
                .to_string(),
            wait_for_agent: r.bool(&c::WAIT_FOR_AGENT)?,
            wait_for_user_confirm: r.bool(&c::WAIT_FOR_USER_CONFIRM)?,
            first_party: match r.choice(&c::FIRST_PARTY)? {
                "AGENT" => FirstParty::Agent,
                _ => FirstParty::Customer,
            },
            agent_preview: r.bool(&c::AGENT_PREVIEW)?,
            agent_preview_timeout: r.number(&c::AGENT_PREVIEW_TIMEOUT)?,
            agent_preview_allow_reject: r.number(&c::AGENT_PREVIEW_ALLOW_REJECT)?,
            agent_preview_data: params::list(&r.text(&c::AGENT_PREVIEW_DATA)),
            max_chats_per_agent: r.number(&c::MAX_CHATS_PER_AGENT)?,
            user_confirm_timeout: r.number(&c::USER_CONFIRM_TIMEOUT)?,
            connect_on_confirm_timeout: r
                .text(&c::ON_USER_CONFIRM_TIMEOUT)
                .eq_ignore_ascii_case("CONNECT-ANYWAY"),
            max_confirm_attempts: r.number(&c::MAX_CONFIRM_ATTEMPTS)?,
            enable_disposition: r.bool(&c::ENABLE_DISPOSITION)?,
            disposition_timeout: r.number(&c::DISPOSITION_TIMEOUT)?,
            max_dial_attempts: r.number(&c::MAX_DIAL_ATTEMPTS)?,
            dial_retry_timeout: r.number(&c::DIAL_RETRY_TIMEOUT)?,
            ttl_secs: r.number(&c::TTL)?,
            retention_days: r.number(&c::RETENTION_DAYS)?,
            paused: r.bool(&c::PAUSED)?,
            dialer_url,
            twilio,
            texts,
        };
        let country_text = r.text(&c::DEFAULT_COUNTRY);
        let phone = PhonePolicy {
            default_country: Country::from_iso(&country_text).ok_or_else(|| {
                let known: Vec<&str> = Country::all().iter().map(|c| c.iso).collect();
                ConfigError::new(
                    c::DEFAULT_COUNTRY.name,
                    format!("`{country_text}` is not one of {}", known.join(", ")),
                )
            })?,
            disallow_impossible: r.bool(&c::DISALLOW_IMPOSSIBLE)?,
            disallow_premium: r.bool(&c::DISALLOW_PREMIUM)?,
        };
        let lookup_keys = params::list(&r.text(&c::LOOKUP_KEYS));
        let mandatory_lookup_keys = params::list(&r.text(&c::MANDATORY_LOOKUP_KEYS));
        if let Some(k) = mandatory_lookup_keys
            .iter()
            .find(|k| !lookup_keys.contains(k))
        {
            return Err(ConfigError::new(
                c::MANDATORY_LOOKUP_KEYS.name,
                format!("`{k}` is not in _customer_lookup_keys"),
            ));
        }
        let notifications = Notifications::read(r)?;
        Ok(CallbackService {
            name: name.to_string(),
            scenario,
            schedule,
            limits: Limits::read(r)?,
            phone,
            lookup_keys,
            mandatory_lookup_keys,
            notifications,
            allowed_origins: params::list(&r.text(&c::ALLOWED_ORIGINS)),
            offer_ewt_threshold: r.number(&c::OFFER_EWT_THRESHOLD)?,
            average_handle_secs: r.number(&c::AVERAGE_HANDLE_TIME)?,
            on_time_window: r.number(&c::ON_TIME_WINDOW)?,
            request_access_service: r.text(&c::REQUEST_ACCESS_SERVICE),
            match_interaction_service: r.text(&c::MATCH_INTERACTION_SERVICE),
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

/// `_media_type`, of a section or a request: GMS's callback service processes voice and chat only.
pub fn media_type(text: &str) -> Result<&'static str, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "voice" => Ok("voice"),
        "chat" => Ok("chat"),
        other => Err(format!("`{other}` is not voice or chat")),
    }
}

impl ScenarioOptions {
    /// Whether calls are placed for the agents (by a dialer or a telephony provider), rather than
    /// dialled by the agents themselves.
    pub fn places_calls(&self) -> bool {
        self.dialer_url.is_some() || self.twilio.is_some()
    }
}
