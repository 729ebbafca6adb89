//! User-originated scenarios: a `request-access` service holds an access number (and a code, when
//! `_provide_code`) for `_ttl` seconds; a `match-interaction` service finds the hold of an incoming
//! call (number and code, or the caller's phone) and releases it. Holds live in the request-access
//! service's object, so two requests can never get the same number and code.

use crate::error::{ApiError, ApiResult};
use crate::internal::Hold;
use callback_shared::config::RequestAccess;
use callback_shared::iso::{self, Shift};
use callback_shared::params::Params;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use worker::{SqlStorage, SqlStorageValue as V};

pub const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS holds (number TEXT NOT NULL, code TEXT NOT NULL, id TEXT NOT NULL, data_id TEXT NOT NULL,
  phone TEXT NOT NULL, data TEXT NOT NULL, until_ms INTEGER NOT NULL, PRIMARY KEY (number, code));";

#[derive(Deserialize)]
struct Held {
    id: String,
    data_id: String,
    data: String,
}

#[derive(Deserialize)]
struct Taken {
    number: String,
    code: String,
}

#[derive(Deserialize)]
struct Count {
    n: u32,
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Fresh random values for a hold.
pub struct Fresh {
    /// The hold's id, unless the request names one (a callback's).
    pub id: String,
    pub data_id: String,
    /// Where the search for a free code starts.
    pub code_seed: u32,
}

/// Holds a free access number for the request.
pub fn request(
    sql: &SqlStorage,
    service: &str,
    access: &RequestAccess,
    params: &Params,
    fresh: Fresh,
    now: DateTime<Utc>,
) -> ApiResult<Hold> {
    let phone = params
        .get("_customer_number")
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::InvalidParameter("_customer_number: is mandatory".into()))?;
    sql.exec(
        "DELETE FROM holds WHERE until_ms <= ?",
        vec![V::Integer(now.timestamp_millis())],
    )?;
    let held: Vec<(String, String)> = sql
        .exec("SELECT number, code FROM holds", None)?
        .to_array::<Taken>()?
        .into_iter()
        .map(|t| (t.number, t.code))
        .collect();
    // With codes a number serves many calls (one per code); without, one call at a time.
    let free = access.numbers.iter().find_map(|number| {
        if !access.provide_code {
            return (!held.iter().any(|(n, _)| n == number))
                .then(|| (number.clone(), String::new()));
        }
        (0..10_000u32)
            .map(|i| format!("{:04}", fresh.code_seed.wrapping_add(i) % 10_000))
            .find(|c| !held.iter().any(|(n, k)| n == number && k == c))
            .map(|c| (number.clone(), c))
    });
    let (number, code) = free.ok_or_else(|| {
        ApiError::ServiceUnavailable(format!("No access number is free in {service}."))
    })?;
    let id = params.get("_id").cloned().unwrap_or(fresh.id);
    let data: Params = params
        .iter()
        .filter(|(k, _)| !k.starts_with('_'))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let data = serde_json::to_string(&data).map_err(|e| ApiError::Internal(e.to_string()))?;
    let until = now.plus(Duration::seconds(i64::from(access.ttl_secs)));
    sql.exec(
        "INSERT INTO holds (number, code, id, data_id, phone, data, until_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![number.as_str().into(), code.as_str().into(), id.as_str().into(), fresh.data_id.as_str().into(), digits(phone).into(), data.into(), V::Integer(until.timestamp_millis())],
    )?;
    Ok(Hold {
        id,
        number,
        code,
        expires: iso::format(until),
    })
}

/// Finds and releases the hold of an incoming call; answers `{_id, _data_id, user data…}`.
pub fn matched(sql: &SqlStorage, params: &Params, now: DateTime<Utc>) -> ApiResult<Params> {
    let get = |k: &str| callback_shared::params::given(params, k);
    let live = V::Integer(now.timestamp_millis());
    let (condition, mut bindings): (&str, Vec<V>) =
        match (get("_access_number"), get("_phone_number")) {
            (Some(number), _) => (
                "number = ? AND code = ?",
                vec![number.into(), get("_access_code").unwrap_or("").into()],
            ),
            (None, Some(phone)) => ("phone = ?", vec![digits(phone).into()]),
            (None, None) => {
                return Err(ApiError::InvalidParameter(
                    "give _access_number (and _access_code) or _phone_number".into(),
                ))
            }
        };
    bindings.push(live);
    let query =
        format!("SELECT id, data_id, data FROM holds WHERE {condition} AND until_ms > ? LIMIT 1");
    let hold = sql
        .exec(&query, bindings.clone())?
        .to_array::<Held>()?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::NotFound("no held access matches this call".into()))?;
    sql.exec(
        &format!("DELETE FROM holds WHERE {condition} AND until_ms > ?"),
        bindings,
    )?;
    let mut answer: Params = serde_json::from_str(&hold.data).unwrap_or_default();
    answer.insert("_id".into(), hold.id);
    answer.insert("_data_id".into(), hold.data_id);
    Ok(answer)
}

/// Erases the holds of a customer's phone (the right to be forgotten); answers how many.
pub fn erase(sql: &SqlStorage, phone: &str) -> ApiResult<u32> {
    let phone = digits(phone);
    let held = sql
        .exec(
            "SELECT count(*) AS n FROM holds WHERE phone = ?",
            vec![phone.as_str().into()],
        )?
        .one::<Count>()?;
    sql.exec("DELETE FROM holds WHERE phone = ?", vec![phone.into()])?;
    Ok(held.n)
}

/// Releases a hold, only while it is still the holder's (a number without codes may have been
/// held for someone else since); answers how many holds went.
pub fn release(sql: &SqlStorage, hold: &Hold) -> ApiResult<u32> {
    let condition = "number = ? AND code = ? AND id = ?";
    let bindings: Vec<V> = vec![
        hold.number.as_str().into(),
        hold.code.as_str().into(),
        hold.id.as_str().into(),
    ];
    let held = sql
        .exec(
            &format!("SELECT count(*) AS n FROM holds WHERE {condition}"),
            bindings.clone(),
        )?
        .one::<Count>()?;
    sql.exec(&format!("DELETE FROM holds WHERE {condition}"), bindings)?;
    Ok(held.n)
}
