//! The create and update decisions: every check of a create request, in GMS's order, against
//! counts read from a [`Ledger`]. The edge implements the ledger with synchronous SQL inside the
//! service's Durable Object, so deciding and recording happen with no `await` between: atomic.

use crate::availability::{self, Bookings, Refusal, Unavailable};
use crate::config::{self, CallbackService, Direction, FirstParty};
use crate::iso::{self, Shift};
use crate::limits::{self, LimitError};
use crate::params::Params;
use crate::phone;
use crate::record::{Callback, Selectors};
use crate::scenario::NewCallback;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

#[cfg(test)]
mod tests;

/// What the decisions need to know of the service's stored callbacks. A read that fails is an
/// error, never a zero: a wrong count could overbook.
pub trait Ledger {
    /// Bookings per bucket start, for buckets starting in `[from, to)`.
    fn bookings(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Bookings, StorageError>;
    /// Every count a create is checked against, read at once.
    fn counts(&self, ask: &CountsAsk) -> Result<Counts, StorageError>;
}

/// Which counts a create needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountsAsk {
    /// The normalised customer number (empty: none).
    pub number: String,
    /// Throttled parameters of the request, `(key, value)`.
    pub parameters: Vec<(String, String)>,
    /// Start of the current UTC day.
    pub day_start: DateTime<Utc>,
    /// Starts of the two throttle windows.
    pub windows: [DateTime<Utc>; 2],
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counts {
    /// Callbacks of the number not COMPLETED.
    pub open_for_number: u32,
    /// Creates accepted today with each of `CountsAsk::parameters`.
    pub parameters_today: Vec<u32>,
    /// Creates accepted in each window.
    pub windows: [u32; 2],
    /// Callbacks in the queue (QUEUED, PAUSED, ROUTING, PROCESSING).
    pub queued: u32,
}

/// The ledger's storage could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("storage: {0}")]
pub struct StorageError(pub String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateError {
    #[error("{key}: {message}")]
    InvalidParameter { key: String, message: String },
    #[error("{}", .message)]
    Unavailable {
        unavailable: Unavailable,
        message: String,
    },
    #[error(transparent)]
    Limit(#[from] LimitError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

fn invalid(key: &str, message: impl Into<String>) -> CreateError {
    CreateError::InvalidParameter {
        key: key.to_string(),
        message: message.into(),
    }
}

fn unavailable(service: &CallbackService, unavailable: Unavailable) -> CreateError {
    CreateError::Unavailable {
        message: unavailable.refusal.message(service),
        unavailable,
    }
}

/// System parameters kept with a callback, besides the lookup keys.
const KEPT: [&str; 8] = [
    "_urs_virtual_queue",
    // **[ext]** The customer's IANA zone: texts give the callback's time in it.
    "_customer_time_zone",
    "_request_queue_time_stat",
    "_customer_id",
    "_email_address",
    "_device_notification_id",
    "_device_os",
    "_provide_code",
];
/// Keys that describe the record itself and are never taken from a request (a caller on the
/// line is the service's word, never a client's).
const RECORD_KEYS: [&str; 6] = [
    "_id",
    "_service_name",
    "_callback_state",
    "_desired_time",
    crate::record::IVR_CALL,
    crate::record::ON_THE_LINE,
];
const MAX_USER_DATA_KEYS: usize = 100;
const MAX_VALUE_LEN: usize = 4096;

/// What a create needs known before it is decided, read once from the request: the customer
/// number normalised, the scenario's selectors, the desired time, and whether an access number
/// must be held first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePlan {
    /// Normalised; empty when the request gives none.
    pub number: String,
    pub selectors: Selectors,
    /// `None`: as soon as possible.
    pub desired: Option<DateTime<Utc>>,
    /// User-originated, immediate, not waiting for an agent and not a chat: the customer dials an
    /// access number at once, which must be held before the decision.
    pub needs_access: bool,
}

/// Reads a create request's plan; a bad number, selector or desired time is refused here.
pub fn plan(
    service: &CallbackService,
    params: &Params,
    now: DateTime<Utc>,
) -> Result<CreatePlan, CreateError> {
    let number = customer_number(service, params)?;
    let selectors = selectors(service, params)?;
    let desired = desired_time(service, params, "_desired_time", now)?;
    let needs_access = desired.is_none()
        && selectors.direction == Direction::UserOriginated
        && !selectors.is_chat()
        && !selectors.wait_for_agent;
    Ok(CreatePlan {
        number,
        selectors,
        desired,
        needs_access,
    })
}

/// A caller of the service's own number, waiting on the line since `now` (SCENARIOS.md, "IVR
/// Classic Callback on a phone number"): a voice callback, customer first, whose place is when the
/// call entered. `number`: the caller's, empty when withheld. No limit refuses it: the caller is
/// in the queue already.
pub fn caller_on_the_line(
    service: &CallbackService,
    id: String,
    number: &str,
    call: &str,
    now: DateTime<Utc>,
) -> NewCallback {
    let sc = &service.scenario;
    let system = BTreeMap::from([
        (crate::record::IVR_CALL.to_string(), call.to_string()),
        (crate::record::ON_THE_LINE.to_string(), "true".to_string()),
        ("_call_entered_time".to_string(), iso::format(now)),
    ]);
    NewCallback {
        id,
        customer_number: number.to_string(),
        scheduled: None,
        queued_since: Some(now),
        selectors: Selectors {
            direction: Direction::UserTerminated,
            media_type: "voice".to_string(),
            wait_for_agent: true,
            wait_for_user_confirm: false,
            first_party: sc.first_party,
        },
        system,
        user_data: BTreeMap::new(),
    }
}

/// Decides a create planned by [`plan`]. `id` is the new callback's id.
pub fn decide_create(
    service: &CallbackService,
    params: &Params,
    plan: &CreatePlan,
    id: String,
    now: DateTime<Utc>,
    ledger: &impl Ledger,
) -> Result<NewCallback, CreateError> {
    let customer_number = plan.number.clone();
    for key in &service.mandatory_lookup_keys {
        // A chat's visitor need not give a phone number.
        if key == "_customer_number" && plan.selectors.is_chat() {
            continue;
        }
        if params.get(key).is_none_or(|v| v.trim().is_empty()) {
            return Err(invalid(key, "is mandatory"));
        }
    }
    let selectors = plan.selectors.clone();
    let (system, user_data) = split(service, params)?;
    let scheduled = match plan.desired {
        Some(desired) => Some((desired, book(service, desired, now, ledger, None)?)),
        None => {
            check_open_now(service, now, ledger)?;
            None
        }
    };
    let queued_since = match params
        .get("_call_entered_time")
        .filter(|v| !v.trim().is_empty())
    {
        Some(text) => Some(
            iso::parse(text)
                .map_err(|e| invalid("_call_entered_time", e.to_string()))?
                .min(now),
        ),
        None => None,
    };
    let counts = checked_counts(
        service,
        &customer_number,
        throttled_parameters(service, params, &customer_number),
        now,
        ledger,
    )?;
    limits::check_windows(&service.name, &service.limits, counts.windows)?;
    if scheduled.is_none() {
        limits::check_queued(&service.name, &service.limits, counts.queued)?;
    }
    Ok(NewCallback {
        id,
        customer_number,
        scheduled,
        queued_since,
        selectors,
        system,
        user_data,
    })
}

/// The counts for a request that sets `number` (empty: none) and `parameters` (its throttled
/// ones), once the number's in-queue check and each parameter's daily limit have passed.
fn checked_counts(
    service: &CallbackService,
    number: &str,
    parameters: Vec<(String, String)>,
    now: DateTime<Utc>,
    ledger: &impl Ledger,
) -> Result<Counts, CreateError> {
    let ask = CountsAsk {
        parameters,
        number: number.to_string(),
        day_start: now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc(),
        windows: service
            .limits
            .windows
            .map(|w| now.minus(Duration::seconds(i64::from(w.seconds)))),
    };
    let counts = ledger.counts(&ask)?;
    if !number.is_empty() {
        limits::check_in_queue(&service.limits, number, counts.open_for_number)?;
    }
    for ((key, value), today) in ask.parameters.iter().zip(&counts.parameters_today) {
        limits::check_daily(&service.limits, key, value, *today)?;
    }
    Ok(counts)
}

/// The throttled parameters of a request (`_throttle_request_parameters`), with the customer
/// number normalised: what the daily limit counts, and what an accepted create is remembered by.
pub fn throttled_parameters(
    service: &CallbackService,
    params: &Params,
    customer_number: &str,
) -> Vec<(String, String)> {
    service
        .limits
        .throttle_parameters
        .iter()
        .filter_map(|key| {
            let value = if key == "_customer_number" {
                Some(customer_number)
            } else {
                params.get(key).map(String::as_str)
            };
            value
                .filter(|v| !v.is_empty())
                .map(|v| (key.clone(), v.to_string()))
        })
        .collect()
}

/// The desired time a request asks for under `key`; `None` for "as soon as possible": no time,
/// or one at or before now by at most `_reject_past_desired_time` (a client's own "now" arrives
/// a little late). Times further in the past are left for [`book`] to refuse.
fn desired_time(
    service: &CallbackService,
    params: &Params,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, CreateError> {
    let Some(text) = params.get(key).filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    let desired = iso::parse(text).map_err(|e| invalid(key, e.to_string()))?;
    let tolerance = Duration::seconds(i64::from(service.schedule.past_tolerance_secs));
    let asap = desired <= now && now.signed_duration_since(desired) <= tolerance;
    Ok((!asap).then_some(desired))
}

/// An immediate request out of office hours is refused when the service says so.
fn check_open_now(
    service: &CallbackService,
    now: DateTime<Utc>,
    ledger: &impl Ledger,
) -> Result<(), CreateError> {
    if service.schedule.reject_out_of_office_hours && !service.schedule.is_open_now(now) {
        let alternatives =
            availability::alternatives(service, now, now, &nearby(service, now, now, ledger)?);
        return Err(unavailable(
            service,
            Unavailable {
                refusal: Refusal::Closed,
                alternatives,
            },
        ));
    }
    Ok(())
}

/// Checks a desired time; answers its bucket. `own` is the bucket the callback already books (a
/// reschedule), which does not count against it. Bookings around it are read only on refusal.
fn book(
    service: &CallbackService,
    desired: DateTime<Utc>,
    now: DateTime<Utc>,
    ledger: &impl Ledger,
    own: Option<DateTime<Utc>>,
) -> Result<DateTime<Utc>, CreateError> {
    let without_own = |mut bookings: Bookings| {
        if let Some(count) = own.and_then(|b| bookings.get_mut(&b)) {
            *count = count.saturating_sub(1);
        }
        bookings
    };
    let (bucket, _) = availability::bucket_of(service, desired);
    let here = without_own(ledger.bookings(bucket, bucket.plus(Duration::seconds(1)))?);
    match availability::check_desired_time(service, now, desired, &here) {
        Ok(bucket) => Ok(bucket),
        Err(refusal) => {
            let around = without_own(nearby(service, now, desired, ledger)?);
            Err(unavailable(
                service,
                Unavailable {
                    refusal,
                    alternatives: availability::alternatives(service, now, desired, &around),
                },
            ))
        }
    }
}

/// Bookings around a desired time: what its alternatives are chosen from.
fn nearby(
    service: &CallbackService,
    now: DateTime<Utc>,
    desired: DateTime<Utc>,
    ledger: &impl Ledger,
) -> Result<Bookings, StorageError> {
    let week = Duration::days(7);
    let from = availability::bucket_of(service, desired.minus(week).max(now)).0;
    let to = desired.plus(week).min(service.schedule.horizon.limit(now));
    ledger.bookings(from, to.plus(Duration::days(1)))
}

fn customer_number(service: &CallbackService, params: &Params) -> Result<String, CreateError> {
    match params
        .get("_customer_number")
        .filter(|v| !v.trim().is_empty())
    {
        Some(raw) => phone::normalize(raw, &service.phone)
            .map_err(|e| invalid("_customer_number", e.to_string())),
        None => Ok(String::new()),
    }
}

/// The scenario selectors of a create: the service's, overridden by the request's.
fn selectors(service: &CallbackService, params: &Params) -> Result<Selectors, CreateError> {
    let sc = &service.scenario;
    let flag =
        |key: &str, default: bool| match params.get(key).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if v.is_empty() => Ok(default),
            Some(v) if v == "true" => Ok(true),
            Some(v) if v == "false" => Ok(false),
            Some(v) => Err(invalid(key, format!("`{v}` is not true or false"))),
        };
    let direction = match params
        .get("_call_direction")
        .map(|v| v.trim().to_ascii_uppercase())
        .as_deref()
    {
        None | Some("") => sc.direction,
        Some("USERTERMINATED") => Direction::UserTerminated,
        Some("USERORIGINATED") => Direction::UserOriginated,
        Some(other) => {
            return Err(invalid(
                "_call_direction",
                format!("`{other}` is not USERTERMINATED or USERORIGINATED"),
            ))
        }
    };
    let media_type = match params.get("_media_type").map(|v| v.trim()) {
        None | Some("") => sc.media_type.clone(),
        Some(text) => config::media_type(text)
            .map_err(|m| invalid("_media_type", m))?
            .to_string(),
    };
    Ok(Selectors {
        direction,
        media_type,
        wait_for_agent: flag("_wait_for_agent", sc.wait_for_agent)?,
        wait_for_user_confirm: flag("_wait_for_user_confirm", sc.wait_for_user_confirm)?,
        first_party: if direction == Direction::UserTerminated {
            sc.first_party
        } else {
            FirstParty::Customer
        },
    })
}

/// Where a request parameter goes.
#[derive(PartialEq, Eq)]
enum Kept {
    /// A system parameter kept with the record: a lookup key (the number has its own field) or
    /// one of [`KEPT`]; never one of the record's own keys.
    System,
    UserData,
    Ignored,
}

/// Classifies one parameter, refusing values longer than [`MAX_VALUE_LEN`].
fn kept(service: &CallbackService, key: &str, value: &str) -> Result<Kept, CreateError> {
    if value.len() > MAX_VALUE_LEN {
        return Err(invalid(
            key,
            format!("is longer than {MAX_VALUE_LEN} characters"),
        ));
    }
    Ok(if key.starts_with('_') {
        let lookup = service.lookup_keys.iter().any(|k| k == key) && key != "_customer_number";
        if (lookup || KEPT.contains(&key)) && !RECORD_KEYS.contains(&key) {
            Kept::System
        } else {
            Kept::Ignored
        }
    } else if key.is_empty() {
        Kept::Ignored
    } else {
        Kept::UserData
    })
}

/// Named parameters: system ones kept on the record, or the user data.
type Named = BTreeMap<String, String>;

/// Splits the request into kept system parameters and user data.
fn split(service: &CallbackService, params: &Params) -> Result<(Named, Named), CreateError> {
    let mut system = BTreeMap::new();
    let mut user_data = BTreeMap::new();
    for (key, value) in params {
        match kept(service, key, value)? {
            Kept::System if !value.is_empty() => {
                system.insert(key.clone(), value.clone());
            }
            Kept::UserData => {
                user_data.insert(key.clone(), value.clone());
            }
            _ => {}
        }
    }
    if user_data.len() > MAX_USER_DATA_KEYS {
        return Err(invalid(
            "user data",
            format!("at most {MAX_USER_DATA_KEYS} keys"),
        ));
    }
    Ok((system, user_data))
}

/// A validated update of a callback's properties (and perhaps its time).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Update {
    /// A new desired time and the bucket it books (none: as soon as possible).
    pub reschedule: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    pub customer_number: Option<String>,
    /// Values to set; an empty value deletes the key.
    pub system: BTreeMap<String, String>,
    pub user_data: BTreeMap<String, String>,
    /// Throttled parameters the update sets anew, counted by the daily limit as a create's are.
    pub counted: Vec<(String, String)>,
}

impl Update {
    /// Applies the property changes (not the time: that is the state machine's `Reschedule`).
    pub fn apply_properties(&self, callback: &mut Callback) {
        if let Some(n) = &self.customer_number {
            callback.customer_number = n.clone();
        }
        for (target, changes) in [
            (&mut callback.system, &self.system),
            (&mut callback.user_data, &self.user_data),
        ] {
            for (k, v) in changes {
                if v.is_empty() {
                    target.remove(k);
                } else {
                    target.insert(k.clone(), v.clone());
                }
            }
        }
    }
}

/// Decides an update (`PUT`): `_new_desired_time` is checked like a create; lookup keys are
/// re-validated; record keys are ignored; an empty user-data value deletes the key.
pub fn decide_update(
    service: &CallbackService,
    callback: &Callback,
    params: &Params,
    now: DateTime<Utc>,
    ledger: &impl Ledger,
) -> Result<Update, CreateError> {
    let mut update = Update::default();
    if params
        .get("_new_desired_time")
        .is_some_and(|v| !v.trim().is_empty())
    {
        update.reschedule = Some(
            match desired_time(service, params, "_new_desired_time", now)? {
                Some(desired) => (
                    desired,
                    Some(book(service, desired, now, ledger, callback.bucket)?),
                ),
                None => {
                    check_open_now(service, now, ledger)?;
                    (now, None)
                }
            },
        );
    }
    if params.contains_key("_customer_number") {
        let number = customer_number(service, params)?;
        if number.is_empty()
            && service
                .mandatory_lookup_keys
                .iter()
                .any(|k| k == "_customer_number")
        {
            return Err(invalid("_customer_number", "is mandatory"));
        }
        update.customer_number = Some(number);
    }
    // Moving a callback onto another number (or other throttled values) passes the checks a
    // create with them would: the in-queue check and the daily limits.
    let new_number = update
        .customer_number
        .clone()
        .filter(|n| *n != callback.customer_number)
        .unwrap_or_default();
    update.counted = throttled_parameters(service, params, &new_number)
        .into_iter()
        .filter(|(key, value)| {
            if key == "_customer_number" {
                !new_number.is_empty()
            } else {
                callback.system.get(key) != Some(value)
                    && callback.user_data.get(key) != Some(value)
            }
        })
        .collect();
    if !new_number.is_empty() || !update.counted.is_empty() {
        checked_counts(service, &new_number, update.counted.clone(), now, ledger)?;
    }
    for (key, value) in params {
        match kept(service, key, value)? {
            // An empty value deletes, but a mandatory lookup key cannot go.
            Kept::System if value.is_empty() && service.mandatory_lookup_keys.contains(key) => {
                return Err(invalid(key, "is mandatory"))
            }
            Kept::System => {
                update.system.insert(key.clone(), value.clone());
            }
            Kept::UserData => {
                update.user_data.insert(key.clone(), value.clone());
            }
            Kept::Ignored => {}
        }
    }
    Ok(update)
}

/// An in-memory ledger: the reference the edge's SQL ledger must agree with (tests, benchmarks).
#[derive(Debug, Clone, Default)]
pub struct MemoryLedger {
    pub callbacks: Vec<Callback>,
    /// Accepted creates: time and the parameters counted by throttles.
    pub accepted: Vec<(DateTime<Utc>, BTreeMap<String, String>)>,
}

impl MemoryLedger {
    pub fn record(&mut self, callback: Callback, now: DateTime<Utc>) {
        let counted = [(
            "_customer_number".to_string(),
            callback.customer_number.clone(),
        )]
        .into_iter()
        .chain(callback.system.clone())
        .collect();
        self.accepted.push((now, counted));
        self.callbacks.push(callback);
    }
}

impl Ledger for MemoryLedger {
    fn bookings(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Bookings, StorageError> {
        let mut out = Bookings::new();
        for b in self
            .callbacks
            .iter()
            .filter(|c| c.state() != crate::record::State::Completed)
            .filter_map(|c| c.bucket)
        {
            if b >= from && b < to {
                let n = out.entry(b).or_insert(0);
                *n = n.saturating_add(1);
            }
        }
        Ok(out)
    }
    fn counts(&self, ask: &CountsAsk) -> Result<Counts, StorageError> {
        let open = |c: &&Callback| c.state() != crate::record::State::Completed;
        let accepted_since =
            |since: DateTime<Utc>| self.accepted.iter().filter(|(t, _)| *t >= since).count() as u32;
        Ok(Counts {
            open_for_number: self
                .callbacks
                .iter()
                .filter(open)
                .filter(|c| c.customer_number == ask.number)
                .count() as u32,
            parameters_today: ask
                .parameters
                .iter()
                .map(|(k, v)| {
                    self.accepted
                        .iter()
                        .filter(|(t, p)| *t >= ask.day_start && p.get(k) == Some(v))
                        .count() as u32
                })
                .collect(),
            windows: ask.windows.map(accepted_since),
            queued: self
                .callbacks
                .iter()
                .filter(|c| c.state().is_in_queue())
                .count() as u32,
        })
    }
}
