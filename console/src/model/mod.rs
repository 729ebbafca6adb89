//! The console's logic, in plain types tested natively: the components only show it.

pub mod agents;
pub mod chat;
pub mod reports;
pub mod services;

use callback_shared::wire::{EraseAnswer, SlotV2};
use std::collections::BTreeMap;

/// Whole seconds left until `deadline_ms` (rounded down, as clocks count), never negative.
pub fn seconds_left(deadline_ms: f64, now_ms: f64) -> u32 {
    let left = ((deadline_ms - now_ms) / 1000.0).floor();
    if left.is_finite() && left > 0.0 {
        left.min(f64::from(u32::MAX)) as u32
    } else {
        0
    }
}

/// How long an open callback has waited since its desired time: `45 s`, `12 min`, `3 h 05 min`;
/// nothing before that time.
pub fn waited(since_ms: f64, now_ms: f64) -> String {
    let secs = ((now_ms - since_ms) / 1000.0).floor();
    if !secs.is_finite() || secs < 0.0 {
        return String::new();
    }
    let secs = secs.min(f64::from(u32::MAX)) as u32;
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        _ => format!("{} h {:02} min", secs / 3600, secs % 3600 / 60),
    }
}

/// A search typed as `key=value` pairs (`&` or spaces between them), as a query string; a leading
/// `!` on a value negates it, as the API reads it.
pub fn search_query(text: &str) -> Result<String, String> {
    let mut pairs = Vec::new();
    for part in text.split(['&', ' ']).filter(|p| !p.trim().is_empty()) {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| format!("`{part}` is not key=value"))?;
        if key.trim().is_empty() {
            return Err(format!("`{part}` has no key"));
        }
        pairs.push(format!("{}={}", encode(key.trim()), encode(value.trim())));
    }
    if pairs.is_empty() {
        return Err("type at least one key=value, e.g. _customer_number=+33612345678".into());
    }
    Ok(pairs.join("&"))
}

/// Percent-encodes a query value (`!` kept: the API reads it as "not").
pub(crate) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'!' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One bar of the booked-vs-capacity chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// Local time of the bucket, `YYYY-MM-DDTHH:MM`.
    pub label: String,
    pub booked: u32,
    pub capacity: u32,
}

/// Bars from an availability answer with `report-busy`: booked = limit − remaining.
pub fn bars(slots: &[SlotV2]) -> Vec<Bar> {
    slots
        .iter()
        .map(|s| Bar {
            label: s.local_time.chars().take(16).collect(),
            booked: s.total.saturating_sub(s.capacity),
            capacity: s.total,
        })
        .collect()
}

/// The chart's geometry: `width` × `height` pixels, bars side by side; the y scale fits the
/// largest capacity. Answers (x, width, capacity bar height, booked bar height) per bar.
pub fn layout(bars: &[Bar], width: f64, height: f64) -> Vec<(f64, f64, f64, f64)> {
    let top = bars
        .iter()
        .map(|b| b.capacity.max(b.booked))
        .max()
        .unwrap_or(0)
        .max(1);
    let step = width / bars.len().max(1) as f64;
    let scale = |n: u32| f64::from(n) / f64::from(top) * height;
    bars.iter()
        .enumerate()
        .map(|(i, b)| {
            (
                i as f64 * step,
                (step - 1.0).max(1.0),
                scale(b.capacity),
                scale(b.booked),
            )
        })
        .collect()
}

/// Configuration rows as edited: (option, value), empty options dropped, later rows win.
pub fn section_of(rows: &[(String, String)]) -> BTreeMap<String, String> {
    rows.iter()
        .filter(|(k, _)| !k.trim().is_empty())
        .map(|(k, v)| (k.trim().to_string(), v.clone()))
        .collect()
}

/// Dial outcomes the agent reports, with their labels.
pub const OUTCOMES: [(&str, &str); 6] = [
    ("ANSWERED", "Answered"),
    ("NO_ANSWER", "No answer"),
    ("BUSY", "Busy"),
    ("ANSWERING_MACHINE", "Voicemail"),
    ("INVALID_NUMBER", "Invalid number"),
    ("FAILED", "Failed"),
];

/// What an erase did, in a sentence: the total, then each service that held something.
pub fn erased_summary(answer: &EraseAnswer) -> String {
    let parts: Vec<String> = answer
        .services
        .iter()
        .filter(|(_, e)| e.callbacks + e.counters + e.holds > 0)
        .map(|(name, e)| {
            format!(
                "{name}: {} callbacks ({} cancelled first), {} counters, {} holds",
                e.callbacks, e.cancelled, e.counters, e.holds
            )
        })
        .collect();
    match parts.is_empty() {
        true => "Nothing was stored about this number.".to_string(),
        false => format!(
            "Erased {} callbacks. {}.",
            answer.callbacks,
            parts.join("; ")
        ),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn waits_read_as_people_say_them() {
        assert_eq!(waited(0.0, 45_900.0), "45 s");
        assert_eq!(waited(0.0, 12.5 * 60_000.0), "12 min");
        assert_eq!(waited(0.0, 3_900_000.0 + 300_000.0), "1 h 10 min");
        assert_eq!(waited(10_000.0, 0.0), "");
        assert_eq!(waited(f64::NAN, 0.0), "");
    }
    use super::*;

    #[test]
    fn countdowns_round_down_and_stop_at_zero() {
        assert_eq!(seconds_left(10_500.0, 0.0), 10);
        assert_eq!(seconds_left(10_000.0, 0.0), 10);
        assert_eq!(seconds_left(0.0, 5_000.0), 0);
        assert_eq!(seconds_left(f64::NAN, 0.0), 0);
    }

    #[test]
    fn searches_become_query_strings() {
        assert_eq!(
            search_query("_customer_number=+33 612").unwrap_err(),
            "`612` is not key=value"
        );
        assert_eq!(
            search_query("_customer_number=+33612&first_name=!Ann").unwrap(),
            "_customer_number=%2B33612&first_name=!Ann"
        );
        assert_eq!(
            search_query("  ").unwrap_err(),
            "type at least one key=value, e.g. _customer_number=+33612345678"
        );
        assert!(search_query("=x").is_err());
    }

    #[test]
    fn bars_show_booked_against_capacity() {
        let slot = |local: &str, remaining, total| SlotV2 {
            utc_time: String::new(),
            local_time: local.into(),
            capacity: remaining,
            total,
        };
        let b = bars(&[
            slot("2026-12-01T09:00:00+01:00", 3, 5),
            slot("2026-12-01T09:15:00+01:00", 0, 2),
        ]);
        assert_eq!(
            b[0],
            Bar {
                label: "2026-12-01T09:00".into(),
                booked: 2,
                capacity: 5
            }
        );
        assert_eq!(b[1].booked, 2);
        let geometry = layout(&b, 100.0, 50.0);
        assert_eq!(geometry[0], (0.0, 49.0, 50.0, 20.0));
        assert_eq!(geometry[1], (50.0, 49.0, 20.0, 20.0));
        assert!(layout(&[], 100.0, 50.0).is_empty());
    }

    #[test]
    fn edited_sections_drop_empty_options() {
        let rows = vec![
            ("_service".to_string(), "callback".to_string()),
            (" ".to_string(), "x".to_string()),
            ("_ttl".to_string(), "60".to_string()),
        ];
        assert_eq!(section_of(&rows).len(), 2);
    }

    #[test]
    fn erase_summaries() {
        use callback_shared::wire::Erased;
        let mut answer = EraseAnswer::default();
        assert_eq!(
            erased_summary(&answer),
            "Nothing was stored about this number."
        );
        answer.services.insert(
            "web".into(),
            Erased {
                callbacks: 2,
                cancelled: 1,
                counters: 2,
                holds: 0,
            },
        );
        answer.services.insert("other".into(), Erased::default());
        answer.services.insert(
            "access".into(),
            Erased {
                holds: 1,
                ..Erased::default()
            },
        );
        answer.callbacks = 2;
        assert_eq!(erased_summary(&answer), "Erased 2 callbacks. access: 0 callbacks (0 cancelled first), 0 counters, 1 holds; web: 2 callbacks (1 cancelled first), 2 counters, 0 holds.");
    }
}
