//! The manage page's state and its transitions: the view (`crate::manage`) only shows them and
//! calls them.

use super::{Picker, Problem};
use callback_shared::record::{Reason, State};

/// What the manage page shows of a callback's record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub status: Status,
    pub phase: String,
    pub desired_time: String,
    pub access_number: String,
    pub access_code: String,
    pub chat: bool,
}

impl Seen {
    /// From the record's fields as `text` reads them (an absent one is empty).
    pub fn read(text: impl Fn(&str) -> String) -> Seen {
        Seen {
            status: Status::read(&text("_callback_state"), &text("_callback_reason")),
            phase: text("_phase"),
            desired_time: text("_desired_time"),
            access_number: text("_access_number"),
            access_code: text("_access_code"),
            chat: text("_media_type") == "chat",
        }
    }

    /// An agent is ready to call: the customer is asked whether they are.
    pub fn asks_confirmation(&self) -> bool {
        self.phase == "confirming" && !self.chat
    }

    /// A chat the customer may start (an agent is ready: `Some(true)`, confirming first) or open
    /// again (it goes on: `Some(false)`); the chat's own module shows it.
    pub fn chat_start(&self) -> Option<bool> {
        match self.phase.as_str() {
            "confirming" if self.chat => Some(true),
            "connected" if self.chat => Some(false),
            _ => None,
        }
    }

    /// The number to call now, and its code if any (user-originated, held for the customer).
    pub fn dial(&self) -> Option<(&str, &str)> {
        (!self.access_number.is_empty() && self.status.customer_dials())
            .then_some((self.access_number.as_str(), self.access_code.as_str()))
    }
}

/// The manage page: the record as last read, what the last action did, the picker when open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Managed {
    pub record: Option<Result<Seen, Problem>>,
    pub outcome: Option<Outcome>,
    pub busy: bool,
    pub picker: Option<Picker>,
}

impl Managed {
    pub fn loaded(&mut self, record: Result<Seen, Problem>) {
        self.record = Some(record);
    }

    /// Whether to read the record again: while it waits or is under way (an agent may ask the
    /// customer to confirm), not while the visitor picks a time or an action is on its way.
    pub fn polls(&self) -> bool {
        self.picker.is_none()
            && !self.busy
            && matches!(&self.record, Some(Ok(r)) if r.status.under_way())
    }

    /// An action (cancel, another time, confirm) is on its way.
    pub fn begin(&mut self) {
        self.busy = true;
    }

    pub fn confirmed(&mut self, answer: Result<Seen, Problem>) {
        self.busy = false;
        match answer {
            Ok(r) => self.record = Some(Ok(r)),
            Err(p) => self.outcome = Some(Outcome::of(&p)),
        }
    }

    /// A cancel (`cancel`) or a reschedule answered.
    pub fn acted(&mut self, cancel: bool, answer: Result<Seen, Problem>) {
        self.busy = false;
        match answer {
            Ok(r) => {
                self.outcome = Some(if cancel {
                    Outcome::Cancelled
                } else {
                    Outcome::Rescheduled
                });
                self.picker = None;
                self.record = Some(Ok(r));
            }
            Err(p) => self.outcome = Some(Outcome::of(&p)),
        }
    }

    /// The picker opens empty, then shows the slots once loaded.
    pub fn pick(&mut self, picker: Picker) {
        self.picker = Some(picker);
    }
}

/// What the manage view says after an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Cancelled,
    Rescheduled,
    Taken,
    Network,
    NotFound,
}

impl Outcome {
    /// What a cancel, a reschedule or a confirmation that failed means to the visitor.
    pub fn of(problem: &Problem) -> Outcome {
        match problem {
            Problem::Taken(_) => Outcome::Taken,
            Problem::Network => Outcome::Network,
            _ => Outcome::NotFound,
        }
    }
}

/// How the manage view names a callback's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Scheduled,
    Waiting,
    Calling,
    Cancelled,
    Done,
}

/// A callback as the manage view reads it from its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    /// `None` when the record names no known state.
    pub state: Option<State>,
    pub reason: Option<Reason>,
}

impl Status {
    /// From the record's `_callback_state` and `_callback_reason`.
    pub fn read(state: &str, reason: &str) -> Status {
        Status {
            state: state.parse().ok(),
            reason: reason.parse().ok(),
        }
    }

    /// Whether the customer may still cancel it or choose another time.
    pub fn can_change(&self) -> bool {
        matches!(self.state, Some(State::Scheduled | State::Queued))
    }

    /// Whether it may soon ask the customer something (to confirm, to call a number): the manage
    /// view reads it again now and then.
    pub fn under_way(&self) -> bool {
        matches!(self.state, Some(State::Queued | State::Routing))
    }

    /// Whether the customer should call now (user-originated, the number is held for them).
    pub fn customer_dials(&self) -> bool {
        self.state == Some(State::Routing)
    }

    pub fn standing(&self) -> Standing {
        match (self.state, self.reason) {
            (Some(State::Scheduled), _) => Standing::Scheduled,
            (Some(State::Queued | State::Paused), _) => Standing::Waiting,
            (Some(State::Routing | State::Processing), _) => Standing::Calling,
            (_, Some(Reason::Cancelled | Reason::CancelledByAdmin)) => Standing::Cancelled,
            _ => Standing::Done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: &str, phase: &str) -> Seen {
        Seen::read(|k| match k {
            "_callback_state" => state.to_string(),
            "_phase" => phase.to_string(),
            "_access_number" => "+18005550100".to_string(),
            _ => String::new(),
        })
    }

    #[test]
    fn the_manage_view_reads_states_as_types() {
        let waiting = Status::read("QUEUED", "");
        assert!(waiting.can_change() && waiting.under_way() && !waiting.customer_dials());
        assert_eq!(waiting.standing(), Standing::Waiting);
        let dialing = Status::read("ROUTING", "");
        assert!(!dialing.can_change() && dialing.under_way() && dialing.customer_dials());
        assert_eq!(Status::read("PAUSED", "").standing(), Standing::Waiting);
        assert_eq!(Status::read("PROCESSING", "").standing(), Standing::Calling);
        assert_eq!(
            Status::read("SCHEDULED", "").standing(),
            Standing::Scheduled
        );
        assert_eq!(
            Status::read("COMPLETED", "CANCELLED_BY_ADMIN").standing(),
            Standing::Cancelled
        );
        assert_eq!(
            Status::read("COMPLETED", "ABANDONED").standing(),
            Standing::Done
        );
        assert_eq!(Status::read("LOST", "").standing(), Standing::Done);
        assert_eq!(Outcome::of(&Problem::Taken(vec![])), Outcome::Taken);
        assert_eq!(Outcome::of(&Problem::Limit), Outcome::NotFound);
    }

    #[test]
    fn the_manage_page_polls_while_under_way_and_acts() {
        let mut m = Managed::default();
        assert!(!m.polls());
        m.loaded(Ok(record("QUEUED", "waiting")));
        assert!(m.polls());
        m.pick(Picker::default());
        assert!(!m.polls(), "not while the visitor picks a time");
        m.begin();
        m.acted(false, Err(Problem::Taken(vec![])));
        assert_eq!(
            (m.outcome, m.busy, m.picker.is_some()),
            (Some(Outcome::Taken), false, true)
        );
        m.begin();
        m.acted(false, Ok(record("SCHEDULED", "scheduled")));
        assert_eq!(
            (m.outcome, m.picker.is_none()),
            (Some(Outcome::Rescheduled), true)
        );
        assert!(!m.polls());
        m.loaded(Ok(record("ROUTING", "confirming")));
        let seen = m.record.clone().unwrap().unwrap();
        assert!(seen.asks_confirmation());
        assert_eq!(seen.dial(), Some(("+18005550100", "")));
        m.begin();
        m.confirmed(Err(Problem::Network));
        assert_eq!(m.outcome, Some(Outcome::Network));
        m.begin();
        m.acted(true, Ok(record("COMPLETED", "")));
        assert_eq!(m.outcome, Some(Outcome::Cancelled));
        assert_eq!(record("QUEUED", "").dial(), None);
        assert_eq!(seen.chat_start(), None, "a call is confirmed here");
    }

    #[test]
    fn a_chat_is_started_and_opened_by_its_own_module() {
        let chat = |phase: &str| {
            Seen::read(|k| match k {
                "_media_type" => "chat".to_string(),
                "_phase" => phase.to_string(),
                "_callback_state" => "ROUTING".to_string(),
                _ => String::new(),
            })
        };
        assert_eq!(chat("confirming").chat_start(), Some(true));
        assert!(!chat("confirming").asks_confirmation());
        assert_eq!(chat("connected").chat_start(), Some(false));
        assert_eq!(chat("waiting").chat_start(), None);
    }
}
