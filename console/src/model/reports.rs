//! The Reports view's logic: which services, which period and buckets to ask for, and what the
//! chart draws. The figures themselves are the API's (`shared::stats`).

use super::encode;
use callback_shared::stats::{Bucket, Row};
use chrono::{Duration, NaiveDate};
use std::collections::BTreeSet;

/// The period a supervisor picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Period {
    Last7Days,
    Last30Days,
    /// Local dates, both included, as a date input writes them (`2026-12-01`).
    Chosen {
        from: String,
        to: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportForm {
    pub services: BTreeSet<String>,
    pub period: Period,
    pub bucket: Bucket,
}

impl Default for ReportForm {
    fn default() -> ReportForm {
        ReportForm {
            services: BTreeSet::new(),
            period: Period::Last7Days,
            bucket: Bucket::Day,
        }
    }
}

impl ReportForm {
    pub fn toggle(&mut self, service: &str) {
        if !self.services.remove(service) {
            self.services.insert(service.to_string());
        }
    }

    /// The local days asked for, `[first, after)`, seen from `today`.
    pub fn days(&self, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), String> {
        let tomorrow = today.succ_opt().unwrap_or(today);
        let back = |n: i64| today.checked_sub_signed(Duration::days(n)).unwrap_or(today);
        match &self.period {
            Period::Last7Days => Ok((back(6), tomorrow)),
            Period::Last30Days => Ok((back(29), tomorrow)),
            Period::Chosen { from, to } => {
                let read = |name: &str, text: &str| {
                    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                        .map_err(|_| format!("{name}: choose a date"))
                };
                let (from, to) = (read("From", from)?, read("To", to)?);
                if to < from {
                    return Err("To: on or after From".into());
                }
                let limit = if self.bucket == Bucket::Hour { 92 } else { 400 };
                if to.signed_duration_since(from).num_days() >= limit {
                    return Err(format!(
                        "To: at most {limit} days after From by {}",
                        self.bucket_name()
                    ));
                }
                Ok((from, to.succ_opt().unwrap_or(to)))
            }
        }
    }

    pub fn bucket_name(&self) -> &'static str {
        match self.bucket {
            Bucket::Day => "day",
            Bucket::Hour => "hour",
        }
    }

    /// The query string, given the period's instants as ISO text and the zone.
    pub fn query(&self, from: &str, to: &str, zone: &str) -> Result<String, String> {
        if self.services.is_empty() {
            return Err("Choose at least one service".into());
        }
        let mut query: Vec<String> = self
            .services
            .iter()
            .map(|s| format!("service_name={}", encode(s)))
            .collect();
        query.push(format!("from={}", encode(from)));
        query.push(format!("to={}", encode(to)));
        query.push(format!("bucket={}", self.bucket_name()));
        query.push(format!("timezone={}", encode(zone)));
        Ok(query.join("&"))
    }
}

/// One group of bars: a bucket's label and its requested, connected and failed callbacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub label: String,
    pub requested: u32,
    pub connected: u32,
    pub failed: u32,
    /// Median seconds between the promised time and the first call (scheduled callbacks).
    pub punctuality: Option<i64>,
}

impl Group {
    /// The bars drawn for it, by class.
    pub fn bars(&self) -> [(&'static str, u32); 3] {
        [
            ("requested", self.requested),
            ("connected", self.connected),
            ("failed", self.failed),
        ]
    }
}

pub fn groups(rows: &[Row]) -> Vec<Group> {
    rows.iter()
        .map(|r| Group {
            label: r
                .start
                .chars()
                .take(16)
                .collect::<String>()
                .replace('T', " "),
            requested: r.figures.requested,
            connected: r.figures.connected,
            failed: r.figures.failed.values().sum(),
            punctuality: r.figures.punctuality_s.median,
        })
        .collect()
}

/// The chart's summary, for those who do not see it.
pub fn summary(groups: &[Group], bucket: &str) -> String {
    let sum = |f: fn(&Group) -> u32| groups.iter().map(f).sum::<u32>();
    format!(
        "{} requested, {} connected, {} failed, over {} {bucket}s",
        sum(|g| g.requested),
        sum(|g| g.connected),
        sum(|g| g.failed),
        groups.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_are_whole_local_days() {
        let mut form = ReportForm::default();
        assert_eq!(
            form.days(day("2026-12-07")),
            Ok((day("2026-12-01"), day("2026-12-08")))
        );
        form.period = Period::Last30Days;
        assert_eq!(form.days(day("2026-12-07")).unwrap().0, day("2026-11-08"));
        form.period = Period::Chosen {
            from: "2026-12-01".into(),
            to: "2026-12-01".into(),
        };
        assert_eq!(
            form.days(day("2026-12-07")),
            Ok((day("2026-12-01"), day("2026-12-02")))
        );
        form.period = Period::Chosen {
            from: "2026-12-05".into(),
            to: "2026-12-01".into(),
        };
        assert!(form.days(day("2026-12-07")).unwrap_err().starts_with("To:"));
        form.period = Period::Chosen {
            from: "".into(),
            to: "2026-12-01".into(),
        };
        assert!(form
            .days(day("2026-12-07"))
            .unwrap_err()
            .starts_with("From:"));
        form.bucket = Bucket::Hour;
        form.period = Period::Chosen {
            from: "2026-01-01".into(),
            to: "2026-12-01".into(),
        };
        assert!(form
            .days(day("2026-12-07"))
            .unwrap_err()
            .contains("92 days"));
    }

    #[test]
    fn the_query_names_every_service_and_the_zone() {
        let mut form = ReportForm::default();
        assert!(form.query("a", "b", "UTC").is_err());
        form.toggle("web");
        form.toggle("b 2");
        assert_eq!(
            form.query("2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z", "Europe/Paris").unwrap(),
            "service_name=b%202&service_name=web&from=2026-12-01T00%3A00%3A00Z&to=2026-12-08T00%3A00%3A00Z&bucket=day&timezone=Europe%2FParis"
        );
    }

    #[test]
    fn the_chart_sums_what_it_draws() {
        let row = |start: &str, requested, connected| Row {
            start: start.into(),
            figures: callback_shared::stats::Figures {
                requested,
                connected,
                ..Default::default()
            },
        };
        let g = groups(&[
            row("2026-12-01T00:00:00+01:00", 4, 3),
            row("2026-12-02T00:00:00+01:00", 2, 0),
        ]);
        assert_eq!(g[0].label, "2026-12-01 00:00");
        assert_eq!(
            summary(&g, "day"),
            "6 requested, 3 connected, 0 failed, over 2 days"
        );
    }
}
