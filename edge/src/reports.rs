//! `GET /genesys/1/admin/callback/stats`: each callback service adds up its facts per bucket of
//! creation in the asked zone (OPERATOR.md, "Reports"); the answer is their figures, JSON or CSV.

use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::internal::{ask_service, ServiceAsk, ServiceReport};
use callback_shared::stats::{self, Bucket, Figures};
use callback_shared::zone::Zone;
use futures_util::future::join_all;
use serde_json::value::RawValue;
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
    let csv = one("format") == "csv"
        || http::header(req, "accept").is_some_and(|a| a.contains("text/csv"));
    let ask = ServiceAsk::Stats {
        starts_ms: stats::starts(zone, bucket, from, to)
            .iter()
            .map(|s| s.timestamp_millis())
            .collect(),
        to_ms: to.timestamp_millis(),
        zone: zone.name().to_string(),
        csv,
    };
    // Every service adds up its own facts, all at once.
    let answers = join_all(
        services
            .iter()
            .map(|service| ask_service::<ServiceReport>(env, service, &origin, &ask)),
    )
    .await;
    // Each service's rows come written; they are put together as they are, in service order.
    let mut rows = BTreeMap::new();
    let mut totals = BTreeMap::new();
    for (service, answer) in services.into_iter().zip(answers) {
        let answer = answer?;
        rows.insert(service.clone(), answer.rows);
        totals.insert(service, answer.totals);
    }
    if csv {
        let mut text = stats::CSV_HEAD.to_string();
        for lines in rows.values() {
            text.push_str(
                &serde_json::from_str::<String>(lines.get())
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
            );
        }
        return http::text_response(text, "text/csv; charset=utf-8", 200);
    }
    let text = written(zone.name(), bucket, &rows, &totals)?;
    http::text_response(text, "application/json; charset=utf-8", 200)
}

/// The JSON of a `stats::Report` whose services' rows are already written.
fn written(
    zone: &str,
    bucket: Bucket,
    rows: &BTreeMap<String, Box<RawValue>>,
    totals: &BTreeMap<String, Figures>,
) -> ApiResult<String> {
    let mut out = format!(
        "{{\"timezone\":{},\"bucket\":{},\"services\":{{",
        json(zone)?,
        json(&bucket)?
    );
    for (i, (service, rows)) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&json(service)?);
        out.push(':');
        out.push_str(rows.get());
    }
    out.push_str("},\"totals\":");
    out.push_str(&json(totals)?);
    out.push('}');
    Ok(out)
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use callback_shared::stats::{Report, Row};

    #[test]
    fn written_rows_make_the_report() {
        let row = |start: &str, requested| Row {
            start: start.into(),
            figures: Figures {
                requested,
                ..Figures::default()
            },
        };
        let report = Report {
            timezone: "Europe/Paris".into(),
            bucket: Bucket::Day,
            services: BTreeMap::from([
                ("a".into(), vec![row("2026-12-06T00:00:00+01:00", 2)]),
                ("b\"c".into(), vec![]),
            ]),
            totals: BTreeMap::from([
                ("a".into(), Figures::default()),
                ("b\"c".into(), Figures::default()),
            ]),
        };
        let rows = report
            .services
            .iter()
            .map(|(s, r)| (s.clone(), serde_json::value::to_raw_value(r).unwrap()))
            .collect();
        let text = written("Europe/Paris", Bucket::Day, &rows, &report.totals).unwrap();
        assert_eq!(serde_json::from_str::<Report>(&text).unwrap(), report);
        assert_eq!(text, serde_json::to_string(&report).unwrap());
    }
}
