//! Property queries: `key=value` terms joined by AND (default) or OR; `!X` means "not X".
//! Only `_id`, `_callback_state`, `_callback_reason`, the service's lookup keys and user-data keys
//! (no leading `_`) are searchable.

use crate::record::Callback;

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

#[cfg(test)]
mod tests {
    use super::*;
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
