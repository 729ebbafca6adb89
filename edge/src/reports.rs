//! `GET /genesys/1/admin/callback/stats`: each callback service adds up its facts per bucket of
//! creation in the asked zone (OPERATOR.md, "Reports"); the answer is their figures, JSON or CSV.

use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::internal::{ask_service, ServiceAsk};
use callback_shared::stats::{self, Bucket, Report, ServiceReport};
use callback_shared::zone::Zone;
use futures_util::future::join_all;
use std::collections::BTreeMap;
use worker::{Env, Request, Response};

/// `known`: the callback services; none asked means all of them.
pub async fn stats(env: &Env, req: &Request, known: Vec<String>) -> ApiResult<Response> {
    let query = http::query(req)?;
    let one = |key: &str| {
        query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let (from, to) = stats::period(one("from"), one("to")).map_err(ApiError::InvalidParameter)?;
    let bucket = Bucket::parse(one("bucket")).ok_or_else(|| {
        ApiError::InvalidParameter(format!("bucket: `{}` is not day or hour", one("bucket")))
    })?;
    if bucket == Bucket::Hour && to.signed_duration_since(from) > chrono::Duration::days(92) {
        return Err(ApiError::InvalidParameter(
            "to: hourly figures cover at most 92 days".into(),
        ));
    }
    let zone_name = match one("timezone") {
        "" => "UTC",
        name => name,
    };
    let zone =
        Zone::parse(zone_name).map_err(|e| ApiError::InvalidParameter(format!("timezone: {e}")))?;
    let asked: Vec<String> = query
        .iter()
        .filter(|(k, _)| k == "service_name")
        .map(|(_, v)| v.clone())
        .collect();
    if let Some(unknown) = asked.iter().find(|s| !known.contains(s)) {
        return Err(ApiError::InvalidParameter(format!(
            "service_name: no callback service named `{unknown}`"
        )));
    }
    let services = if asked.is_empty() { known } else { asked };
    let origin = http::own_origin(req)?;
    let ask = ServiceAsk::Stats {
        starts_ms: stats::starts(zone, bucket, from, to)
            .iter()
            .map(|s| s.timestamp_millis())
            .collect(),
        to_ms: to.timestamp_millis(),
        zone: zone.name().to_string(),
    };
    // Every service adds up its own facts, all at once.
    let answers = join_all(
        services
            .iter()
            .map(|service| ask_service::<ServiceReport>(env, service, &origin, &ask)),
    )
    .await;
    let mut rows = BTreeMap::new();
    let mut totals = BTreeMap::new();
    for (service, answer) in services.into_iter().zip(answers) {
        let answer = answer?;
        totals.insert(service.clone(), answer.totals.clone());
        rows.insert(service, answer.rows());
    }
    let csv = one("format") == "csv"
        || http::header(req, "accept").is_some_and(|a| a.contains("text/csv"));
    if csv {
        return http::text_response(stats::csv(&rows), "text/csv; charset=utf-8", 200);
    }
    http::json(&Report {
        timezone: zone.name().to_string(),
        bucket,
        services: rows,
        totals,
    })
}
