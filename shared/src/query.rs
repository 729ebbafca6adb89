//! Property queries: `key=value` terms joined by AND (default) or OR; `!X` means "not X".
//! Only `_id`, `_callback_state`, `_callback_reason`, the service's lookup keys and user-data keys
//! (no leading `_`) are searchable.

use crate::iso::{self, Shift};
use crate::params::Params;
use crate::record::{Callback, State};
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub key: String,
    pub value: String,
    pub negated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub operand: Operand,
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("`{0}` is not a searchable key: use _id, _callback_state, _callback_reason, a lookup key or a user-data key")]
    NotSearchable(String),
    #[error("operand must be AND or OR, not `{0}`")]
    Operand(String),
    #[error("give at least one key=value to search for")]
    Empty,
}

impl Query {
    /// Parses query-string pairs. `lookup_keys` are the searchable `_` keys besides the fixed ones.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        lookup_keys: &[String],
    ) -> Result<Query, QueryError> {
        let mut query = Query {
            operand: Operand::And,
            terms: Vec::new(),
        };
        for (key, value) in pairs {
            if key == "operand" {
                query.operand = match value.to_ascii_uppercase().as_str() {
                    "AND" => Operand::And,
                    "OR" => Operand::Or,
                    _ => return Err(QueryError::Operand(value.to_string())),
                };
                continue;
            }
            let searchable = !key.is_empty()
                && (!key.starts_with('_')
                    || matches!(key, "_id" | "_callback_state" | "_callback_reason")
                    || lookup_keys.iter().any(|k| k == key));
            if !searchable {
                return Err(QueryError::NotSearchable(key.to_string()));
            }
            let (negated, value) = match value.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, value),
            };
            query.terms.push(Term {
                key: key.to_string(),
                value: value.to_string(),
                negated,
            });
        }
        if query.terms.is_empty() {
            return Err(QueryError::Empty);
        }
        Ok(query)
    }

    pub fn matches(&self, callback: &Callback) -> bool {
        let hit = |t: &Term| {
            let equal = callback.property(&t.key).is_some_and(|v| {
                v.eq_ignore_ascii_case(&t.value) && (t.key.starts_with("_callback") || v == t.value)
            });
            equal != t.negated
        };
        match self.operand {
            Operand::And => self.terms.iter().all(hit),
            Operand::Or => self.terms.iter().any(hit),
        }
    }
}

/// The admin queues query: callbacks desired in `[start, end)` (`start_time`, `end_time`;
/// default 15 minutes ago to 24 hours ahead), in some `states` (default all), at most `max`
/// (default 1000, at most 10,000).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuesQuery {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub states: Vec<State>,
    pub max: u32,
}

impl QueuesQuery {
    pub fn parse(params: &Params, now: DateTime<Utc>) -> Result<QueuesQuery, String> {
        let get = |key: &str| params.get(key).filter(|v| !v.is_empty());
        let time = |key: &str, default: DateTime<Utc>| match get(key) {
            Some(text) => iso::parse(text).map_err(|e| format!("{key}: {e}")),
            None => Ok(default),
        };
        let states = match get("states") {
            Some(list) => list
                .split(',')
                .map(|s| {
                    s.parse()
                        .map_err(|_| format!("states: `{s}` is not a callback state"))
                })
                .collect::<Result<_, _>>()?,
            None => State::ALL.to_vec(),
        };
        let max = match get("max") {
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=10_000).contains(n))
                .ok_or_else(|| format!("max: `{v}` is not a whole number from 1 to 10000"))?,
            None => 1000,
        };
        Ok(QueuesQuery {
            start: time("start_time", now.minus(Duration::minutes(15)))?,
            end: time("end_time", now.plus(Duration::hours(24)))?,
            states,
            max,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queues_queries_default_and_refuse() {
        let now = iso::parse("2026-12-02T10:00:00Z").unwrap();
        let params = |pairs: &[(&str, &str)]| -> Params {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let q = QueuesQuery::parse(&params(&[]), now).unwrap();
        assert_eq!(q.start, iso::parse("2026-12-02T09:45:00Z").unwrap());
        assert_eq!(q.end, iso::parse("2026-12-03T10:00:00Z").unwrap());
        assert_eq!((q.states.len(), q.max), (State::ALL.len(), 1000));
        let q = QueuesQuery::parse(&params(&[("states", "QUEUED,PAUSED"), ("max", "5")]), now);
        assert_eq!(
            q.map(|q| (q.states, q.max)),
            Ok((vec![State::Queued, State::Paused], 5))
        );
        for (key, value) in [
            ("states", "LOST"),
            ("max", "0"),
            ("max", "10001"),
            ("end_time", "soon"),
        ] {
            let err = QueuesQuery::parse(&params(&[(key, value)]), now).unwrap_err();
            assert!(err.starts_with(key), "{err}");
        }
    }
    use crate::config::{Direction, FirstParty};
    use crate::record::{Phase, Reason, Selectors};
    use proptest::prelude::*;

    fn callback(number: &str, phase: Phase, colour: &str) -> Callback {
        let t = crate::iso::parse("2026-12-01T09:00:00Z").unwrap();
        Callback {
            id: format!("id-{number}"),
            service: "s".into(),
            customer_number: number.into(),
            desired_time: t,
            bucket: None,
            created: t,
            updated: t,
            expires: t,
            phase,
            selectors: Selectors {
                direction: Direction::UserTerminated,
                media_type: "voice".into(),
                wait_for_agent: false,
                wait_for_user_confirm: false,
                first_party: FirstParty::Customer,
            },
            system: [("_customer_id".to_string(), "C-9".to_string())].into(),
            user_data: [("colour".to_string(), colour.to_string())].into(),
            dial_attempts: 0,
            rejects: 0,
            disposition: None,
        }
    }

    fn q(pairs: &[(&str, &str)]) -> Result<Query, QueryError> {
        Query::parse(
            pairs.iter().copied(),
            &["_customer_number".to_string(), "_customer_id".to_string()],
        )
    }

    #[test]
    fn and_or_and_negation() {
        let open = callback("+15115", Phase::Waiting, "blue");
        let done = callback(
            "+15115",
            Phase::Completed {
                reason: Reason::Cancelled,
            },
            "red",
        );
        let not_completed = q(&[
            ("_customer_number", "+15115"),
            ("_callback_state", "!COMPLETED"),
        ])
        .unwrap();
        assert!(not_completed.matches(&open) && !not_completed.matches(&done));
        let either = q(&[
            ("colour", "red"),
            ("_callback_state", "QUEUED"),
            ("operand", "or"),
        ])
        .unwrap();
        assert!(either.matches(&open) && either.matches(&done));
        let both = q(&[("colour", "red"), ("_callback_state", "QUEUED")]).unwrap();
        assert!(!both.matches(&open) && !both.matches(&done));
        assert!(q(&[("_callback_reason", "cancelled")])
            .unwrap()
            .matches(&done));
        assert!(q(&[("_customer_id", "C-9")]).unwrap().matches(&open));
        assert!(
            !q(&[("colour", "BLUE")]).unwrap().matches(&open),
            "user data matches exactly"
        );
    }

    #[test]
    fn only_searchable_keys() {
        assert_eq!(
            q(&[("_desired_time", "x")]),
            Err(QueryError::NotSearchable("_desired_time".into()))
        );
        assert_eq!(
            q(&[("operand", "XOR"), ("colour", "x")]),
            Err(QueryError::Operand("XOR".into()))
        );
        assert_eq!(q(&[("operand", "OR")]), Err(QueryError::Empty));
    }

    proptest! {
        #[test]
        fn negation_inverts_a_single_term(value in "[a-z]{1,5}", colour in "[a-z]{1,5}") {
            let c = callback("+1", Phase::Waiting, &colour);
            let plain = q(&[("colour", &value)]).unwrap();
            let bang = format!("!{value}");
            let negated = q(&[("colour", &bang)]).unwrap();
            prop_assert_ne!(plain.matches(&c), negated.matches(&c));
        }
    }
}
