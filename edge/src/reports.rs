//! `GET /genesys/1/admin/callback/stats`: each callback service adds up its facts per bucket of
//! creation in the asked zone (OPERATOR.md, "Reports"); the answer is their figures, JSON or CSV.

use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::internal::{ask_service, ServiceAsk, ServiceReport};
use callback_shared::stats::{self, Bucket, Figures};
use callback_shared::zone::Zone;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::value::RawValue;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use worker::{Env, Headers, Request, Response};

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
    // In order of name, each once, as the answer lists them.
    let mut services = if asked.is_empty() { known } else { asked };
    services.sort_unstable();
    services.dedup();
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
    // Each service adds up its own facts, a few at once, and the answer is written as they answer,
    // in order of name: a quarter by hour of a hundred services is 75 MB, more than a Worker may
    // hold at once. Each service's rows come written and are passed on as they are.
    let (env, ask) = (env.clone(), Rc::new(ask));
    let mut answers = futures_util::stream::iter(services)
        .map(move |service| {
            let (env, origin, ask) = (env.clone(), origin.clone(), ask.clone());
            async move {
                let answer = ask_service::<ServiceReport>(&env, &service, &origin, &ask).await;
                answer.map(|a| (service, a))
            }
        })
        .buffered(ASKED_AT_ONCE);
    // The first answer before any byte: an error that every service would give (an object
    // that cannot be reached) is still an error status; a later one ends the answer unfinished.
    let first = answers.next().await.transpose()?;
    let answers = futures_util::stream::iter(first.map(Ok)).chain(answers);
    let totals = Rc::new(RefCell::new(Vec::new()));
    let part = {
        let totals = totals.clone();
        move |(i, answer): (usize, ApiResult<(String, ServiceReport)>)| {
            let (service, report) = answer?;
            let text = if csv {
                csv_lines(&report.rows)?
            } else {
                service_part(i, &service, &report.rows)?
            };
            totals.borrow_mut().push((service, report.totals));
            Ok::<_, ApiError>(text)
        }
    };
    let (start, content_type) = if csv {
        (stats::CSV_HEAD.to_string(), "text/csv; charset=utf-8")
    } else {
        (
            head(zone.name(), bucket)?,
            "application/json; charset=utf-8",
        )
    };
    let body = futures_util::stream::iter([Ok(start)])
        .chain(answers.enumerate().map(part))
        .chain(futures_util::stream::once(async move {
            if csv {
                Ok(String::new())
            } else {
                tail(&totals.borrow())
            }
        }))
        .map_err(|e: ApiError| worker::Error::RustError(e.to_string()));
    let headers = Headers::new();
    headers.set("content-type", content_type)?;
    Ok(Response::from_stream(body)?.with_headers(headers))
}

/// Services asked at once: enough to keep them all busy, few enough that their answers are small.
const ASKED_AT_ONCE: usize = 32;

/// A report's JSON up to its first service (`stats::Report`'s fields, in its order).
fn head(zone: &str, bucket: Bucket) -> ApiResult<String> {
    Ok(format!(
        "{{\"timezone\":{},\"bucket\":{},\"services\":{{",
        json(zone)?,
        json(&bucket)?
    ))
}

/// The `i`th service's rows, already written, in the report's `services`.
fn service_part(i: usize, service: &str, rows: &RawValue) -> ApiResult<String> {
    let comma = if i > 0 { "," } else { "" };
    Ok(format!("{comma}{}:{}", json(service)?, rows.get()))
}

/// The rest of the report after its services: their totals.
fn tail(totals: &[(String, Figures)]) -> ApiResult<String> {
    let totals: BTreeMap<&str, &Figures> = totals.iter().map(|(s, f)| (s.as_str(), f)).collect();
    Ok(format!("}},\"totals\":{}}}", json(&totals)?))
}

/// A service's CSV lines, which travel as a JSON string.
fn csv_lines(rows: &RawValue) -> ApiResult<String> {
    serde_json::from_str(rows.get()).map_err(|e| ApiError::Internal(e.to_string()))
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
        let mut text = head("Europe/Paris", Bucket::Day).unwrap();
        for (i, (service, rows)) in report.services.iter().enumerate() {
            let rows = serde_json::value::to_raw_value(rows).unwrap();
            text.push_str(&service_part(i, service, &rows).unwrap());
        }
        let totals: Vec<_> = report.totals.clone().into_iter().collect();
        text.push_str(&tail(&totals).unwrap());
        assert_eq!(serde_json::from_str::<Report>(&text).unwrap(), report);
        assert_eq!(text, serde_json::to_string(&report).unwrap());
    }
}
