//! The scenario state machine of SCENARIOS.md as pure functions:
//! (record, event, service, now, actor) → new record + the effects the edge must carry out.
//!
//! The edge owns I/O: it keeps one timer per (callback, [`Timer`]) and runs [`apply`] with
//! `Event::Timer` when one falls due; it hands offers to agents, dials through the dialer and
//! delivers notifications. Timers that fire in a phase they no longer apply to change nothing,
//! so a timer run twice (alarms are at-least-once) is harmless.

use crate::config::{CallbackService, Direction, FirstParty};
use crate::iso::Shift;
use crate::record::{Callback, Disposition, Phase, Reason, Selectors, State};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

mod run;
#[cfg(test)]
mod tests;

use run::{secs, Run};

/// The durable timers of one callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timer {
    /// SCHEDULED → QUEUED, `_request_execution_time_buffer` before the desired time.
    Submit,
    /// The agent's preview expires (`_agent_preview_timeout`): counts as a rejection.
    Offer,
    /// The customer did not confirm (`_user_confirm_timeout`).
    Confirm,
    /// Next dial attempt (`_dial_retry_timeout`).
    DialRetry,
    /// The agent recorded no disposition (`_agent_disposition_timeout`).
    Disposition,
    /// `_ttl` after the desired time: fail if still open, then purge.
    Expire,
    /// `_sms_reminder` before a scheduled callback's time: text the customer.
    Reminder,
}

impl Timer {
    pub const ALL: [Timer; 7] = [
        Timer::Submit,
        Timer::Offer,
        Timer::Confirm,
        Timer::DialRetry,
        Timer::Disposition,
        Timer::Expire,
        Timer::Reminder,
    ];
    /// Timers of a phase, cleared when the callback leaves it.
    const STAGE: [Timer; 5] = [
        Timer::Submit,
        Timer::Offer,
        Timer::Confirm,
        Timer::DialRetry,
        Timer::Disposition,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Timer::Submit => "submit",
            Timer::Offer => "offer",
            Timer::Confirm => "confirm",
            Timer::DialRetry => "dial_retry",
            Timer::Disposition => "disposition",
            Timer::Expire => "expire",
            Timer::Reminder => "reminder",
        }
    }
}

impl FromStr for Timer {
    type Err = ();
    fn from_str(s: &str) -> Result<Timer, ()> {
        Timer::ALL.into_iter().find(|t| t.as_str() == s).ok_or(())
    }
}

/// Who caused a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Customer,
    Admin,
    Agent(String),
    Dialer,
    System,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Customer => f.write_str("customer"),
            Actor::Admin => f.write_str("admin"),
            Actor::Agent(id) => write!(f, "agent:{id}"),
            Actor::Dialer => f.write_str("dialer"),
            Actor::System => f.write_str("system"),
        }
    }
}

/// The outcome of one dial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DialOutcome {
    Answered,
    AnsweringMachine,
    NoAnswer,
    Busy,
    InvalidNumber,
    Failed,
}

impl FromStr for DialOutcome {
    type Err = ();
    fn from_str(s: &str) -> Result<DialOutcome, ()> {
        serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_uppercase()))
            .map_err(|_| ())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Timer(Timer),
    /// The service API's cancel (the customer, a client, or an admin through it): CANCELLED.
    Cancel,
    /// The administration's (bulk) cancel: CANCELLED_BY_ADMIN.
    AdminCancel,
    /// To an already validated time; `bucket` is the bucket it books.
    Reschedule {
        desired: DateTime<Utc>,
        bucket: Option<DateTime<Utc>>,
    },
    /// The orchestrator reserved a free ready agent for this callback.
    AgentReserved {
        agent: String,
    },
    Accept,
    Reject,
    /// The callback's agent was removed, or no longer serves this service: what was not yet
    /// under way goes back to the queue; a call they took ends as connected.
    AgentGone,
    /// The customer confirms they are ready to be called.
    Confirm,
    DialResult(DialOutcome),
    /// The customer and an agent are talking.
    Connected,
    /// User-originated: the customer's call to the access number arrived (match-interaction).
    CallerArrived,
    CallEnded,
    Disposition(Disposition),
    Pause,
    Resume,
    /// Something the callback needs failed (e.g. no access number was free): it ends with `reason`.
    Fail(Reason),
    /// A caller waiting on the line chose a callback to `number` (E.164): they leave the line and
    /// keep their place.
    CallbackChosen {
        number: String,
    },
    /// A caller waiting on the line hung up before an agent took the call: ABANDONED, and no
    /// callback is left.
    CallerHungUp,
}

/// What the edge must do after a step, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Set (or move) this callback's timer.
    SetTimer {
        timer: Timer,
        at: DateTime<Utc>,
    },
    ClearTimer(Timer),
    /// The callback waits in queue: offer it to the next free ready agent.
    SeekAgent,
    /// Give the callback to the agent (as a preview to accept or reject, or as a reservation).
    Offer {
        agent: String,
        preview: bool,
    },
    /// The agent is free again.
    ReleaseAgent {
        agent: String,
    },
    /// Ask the customer to confirm ("an agent is ready — call me now?").
    AskConfirm,
    /// Place a call (through the dialer, or the agent from the console).
    Dial {
        attempt: u32,
        first: FirstParty,
    },
    /// User-originated: give the customer the access number to dial.
    ProvideAccess,
    /// Send a `_cbe_on_*` status notification.
    Notify(&'static str),
    /// Text the customer (`_sms_*`).
    Text(Text),
    /// Delete the record.
    Purge,
    /// A dial's outcome, counted in the reports' figures.
    Outcome(DialOutcome),
    /// A chat's agent joined it.
    ChatJoined {
        agent: String,
    },
    /// A chat ended for the customer: left, ended by the agent, cancelled, expired.
    ChatEnded {
        by: Actor,
    },
}

/// The texts a customer may get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Text {
    /// The callback is booked: when, and the manage link.
    Booked,
    /// The scheduled callback is near.
    Reminder,
    /// The first call to the customer starts.
    Calling,
    /// Chat Delayed: an agent is ready to chat; the manage link starts the chat.
    ChatReady,
}

/// A change of state, for the event history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub at: DateTime<Utc>,
    /// None at creation.
    pub from: Option<State>,
    pub to: State,
    pub reason: Option<Reason>,
    pub actor: Actor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub callback: Callback,
    pub effects: Vec<Effect>,
    pub change: Option<Change>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Illegal {
    #[error("a {state} callback cannot be {action}")]
    State { state: State, action: &'static str },
    #[error("this callback is not offered to you")]
    NotYourCallback,
}

/// A validated create request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCallback {
    pub id: String,
    pub customer_number: String,
    /// Scheduled: the validated desired time and its bucket.
    pub scheduled: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Immediate: the time it queues from (the IVR's `_call_entered_time`, else now).
    pub queued_since: Option<DateTime<Utc>>,
    pub selectors: Selectors,
    pub system: BTreeMap<String, String>,
    pub user_data: BTreeMap<String, String>,
}

/// Creates a callback: SCHEDULED, or straight into the queue when immediate or due within the buffer.
pub fn create(
    new: NewCallback,
    service: &CallbackService,
    now: DateTime<Utc>,
    actor: Actor,
) -> Step {
    let desired = new
        .scheduled
        .map(|(d, _)| d)
        .or(new.queued_since)
        .unwrap_or(now);
    let callback = Callback {
        id: new.id,
        service: service.name.clone(),
        customer_number: new.customer_number,
        desired_time: desired,
        bucket: new.scheduled.map(|(_, b)| b),
        created: now,
        updated: now,
        expires: desired.plus(secs(service.scenario.ttl_secs)),
        phase: Phase::Scheduled,
        selectors: new.selectors,
        system: new.system,
        user_data: new.user_data,
        dial_attempts: 0,
        rejects: 0,
        disposition: None,
    };
    let mut run = Run {
        from: None,
        callback,
        effects: Vec::new(),
        service,
        now,
        actor,
        noted: false,
    };
    run.effects.push(Effect::SetTimer {
        timer: Timer::Expire,
        at: run.callback.expires,
    });
    // Booked is said before anything the booking starts (the first call's text); a chat's
    // visitor is in the chat already, or told when an agent is ready.
    if service.scenario.texts.confirmation && !run.callback.selectors.is_chat() {
        run.effects.push(Effect::Text(Text::Booked));
    }
    run.schedule_or_queue(new.scheduled.is_some());
    run.remind();
    run.finish()
}

/// Applies one event.
pub fn apply(
    callback: &Callback,
    event: Event,
    service: &CallbackService,
    now: DateTime<Utc>,
    actor: Actor,
) -> Result<Step, Illegal> {
    let mut run = Run {
        from: Some(callback.state()),
        callback: callback.clone(),
        effects: Vec::new(),
        service,
        now,
        actor,
        noted: false,
    };
    run.callback.updated = now;
    let phase = callback.phase.clone();
    let illegal = |action| Illegal::State {
        state: callback.state(),
        action,
    };
    // An agent acts only on the callback reserved for them.
    if let Actor::Agent(id) = &run.actor {
        if phase.agent() != Some(id.as_str()) {
            return Err(Illegal::NotYourCallback);
        }
    }
    match (event, phase) {
        (Event::Timer(Timer::Expire), Phase::Completed { .. }) => run.effects.push(Effect::Purge),
        (Event::Timer(Timer::Expire), _) => {
            run.complete(Reason::FailTimeoutTtl);
            run.effects.push(Effect::Purge);
        }
        (Event::Timer(Timer::Submit), Phase::Scheduled) => run.enter_queue(),
        (Event::Timer(Timer::Offer), Phase::Offered { agent }) => run.rejected(agent),
        (Event::Timer(Timer::Confirm), Phase::Confirming { agent, attempt }) => {
            let scenario = &service.scenario;
            if scenario.connect_on_confirm_timeout {
                run.dial(Some(agent));
            } else if attempt >= scenario.max_confirm_attempts {
                run.complete(Reason::FailUserNoConfirm);
            } else {
                run.callback.phase = Phase::Confirming {
                    agent,
                    attempt: attempt.saturating_add(1),
                };
                run.ask_confirm();
            }
        }
        (Event::Timer(Timer::DialRetry), Phase::RetryWait) => run.enter_queue(),
        (Event::Timer(Timer::Reminder), Phase::Scheduled | Phase::Waiting) => {
            run.effects.push(Effect::Text(Text::Reminder))
        }
        (Event::Timer(Timer::Disposition), Phase::Disposition { .. }) => {
            run.complete(Reason::AgentConnected)
        }
        // A timer for a phase the callback has left.
        (Event::Timer(_), _) => {}
        (Event::Cancel | Event::AdminCancel, Phase::Completed { .. }) => {
            return Err(illegal("cancelled"))
        }
        // As GMS: the service API's cancel is `CANCELLED` whoever calls it; `CANCELLED_BY_ADMIN`
        // is the administration's cancel.
        (Event::Cancel, _) => run.complete(Reason::Cancelled),
        (Event::AdminCancel, _) => run.complete(Reason::CancelledByAdmin),
        // The customer moves a callback that waits; its agent may move it at any point of their
        // reservation (the customer asked to be called another time).
        (Event::Reschedule { desired, bucket }, phase)
            if matches!(phase.state(), State::Scheduled | State::Queued)
                || matches!(run.actor, Actor::Agent(_)) =>
        {
            run.leave_phase();
            let c = &mut run.callback;
            c.desired_time = desired;
            c.bucket = bucket;
            c.expires = desired.plus(secs(service.scenario.ttl_secs));
            let expires = c.expires;
            run.effects.push(Effect::SetTimer {
                timer: Timer::Expire,
                at: expires,
            });
            run.notify("_cbe_on_callback_rescheduled");
            run.noted = true;
            run.schedule_or_queue(true);
            run.remind();
        }
        (Event::Reschedule { .. }, _) => return Err(illegal("rescheduled")),
        (Event::AgentReserved { agent }, Phase::Waiting) if callback.on_the_line() => {
            run.put_through(agent)
        }
        (Event::AgentReserved { agent }, Phase::Waiting) => {
            run.notify("_cbe_on_target_found");
            if service.scenario.agent_preview {
                run.callback.phase = Phase::Offered {
                    agent: agent.clone(),
                };
                run.effects.push(Effect::Offer {
                    agent,
                    preview: true,
                });
                run.set_timer(Timer::Offer, service.scenario.agent_preview_timeout);
            } else {
                run.effects.push(Effect::Offer {
                    agent: agent.clone(),
                    preview: false,
                });
                run.accepted(agent);
            }
        }
        (Event::AgentReserved { agent }, Phase::AwaitingAgent) => run.put_through(agent),
        (Event::AgentReserved { .. }, _) => return Err(illegal("offered to an agent")),
        (Event::Accept | Event::Reject, Phase::Offered { .. })
            if !matches!(run.actor, Actor::Agent(_)) =>
        {
            return Err(Illegal::NotYourCallback)
        }
        (Event::Accept, Phase::Offered { agent }) => {
            run.effects.push(Effect::ClearTimer(Timer::Offer));
            run.accepted(agent);
        }
        (Event::Reject, Phase::Offered { agent }) => run.rejected(agent),
        (Event::Accept, _) => return Err(illegal("accepted")),
        (Event::Reject, _) => return Err(illegal("rejected")),
        (
            Event::AgentGone,
            Phase::Offered { .. } | Phase::Confirming { .. } | Phase::Dialing { agent: Some(_) },
        ) => run.requeue(),
        (Event::AgentGone, Phase::Connected { .. } | Phase::Disposition { .. }) => {
            run.complete(Reason::AgentConnected)
        }
        (Event::AgentGone, _) => return Err(illegal("given back by its agent")),
        (Event::Confirm, Phase::Confirming { agent, .. }) => run.dial(Some(agent)),
        (Event::Confirm, _) => return Err(illegal("confirmed")),
        (Event::DialResult(outcome), Phase::Dialing { agent }) => {
            run.notify("_cbe_on_dial_done");
            run.effects.push(Effect::Outcome(outcome));
            match outcome {
                DialOutcome::Answered => run.answered(agent),
                DialOutcome::InvalidNumber => run.complete(Reason::FailCallToCustomer),
                _ if run.callback.dial_attempts >= service.scenario.max_dial_attempts => {
                    run.complete(Reason::FailCallToCustomer)
                }
                _ => {
                    run.leave_phase();
                    run.callback.phase = Phase::RetryWait;
                    run.set_timer(Timer::DialRetry, service.scenario.dial_retry_timeout);
                }
            }
        }
        (Event::DialResult(_), _) => return Err(illegal("given a dial result")),
        (Event::Connected, Phase::Dialing { agent }) => {
            run.effects.push(Effect::Outcome(DialOutcome::Answered));
            run.answered(agent)
        }
        (Event::Connected, Phase::Connected { .. }) => {}
        (Event::Connected, _) => return Err(illegal("connected")),
        (Event::CallerArrived, Phase::AwaitingCall | Phase::Waiting | Phase::Dialing { .. })
            if callback.selectors.direction == Direction::UserOriginated =>
        {
            let agent = callback.phase.agent().map(str::to_string);
            run.answered(agent);
        }
        (Event::CallerArrived, _) => return Err(illegal("matched to a call")),
        (Event::CallEnded, Phase::Connected { agent }) => {
            if service.scenario.enable_disposition {
                run.end_chat();
                run.callback.phase = Phase::Disposition { agent };
                run.set_timer(Timer::Disposition, service.scenario.disposition_timeout);
            } else {
                run.complete(Reason::AgentConnected);
            }
        }
        (Event::CallEnded, _) => return Err(illegal("ended")),
        (Event::Disposition(d), Phase::Connected { .. } | Phase::Disposition { .. }) => {
            run.callback.disposition = Some(d);
            run.complete(Reason::AgentConnected);
        }
        (Event::Disposition(_), _) => return Err(illegal("given a disposition")),
        (Event::Pause, Phase::Waiting) => run.callback.phase = Phase::Paused,
        (Event::Pause, _) => return Err(illegal("paused")),
        (Event::Resume, Phase::Paused) => run.enter_queue(),
        (Event::Resume, _) => return Err(illegal("resumed")),
        (Event::Fail(_), Phase::Completed { .. }) => return Err(illegal("failed")),
        (Event::Fail(reason), _) => run.complete(reason),
        (Event::CallbackChosen { number }, Phase::Waiting | Phase::Paused)
            if callback.on_the_line() =>
        {
            let c = &mut run.callback;
            c.system.remove(crate::record::ON_THE_LINE);
            c.customer_number = number;
            if service.scenario.texts.confirmation {
                run.effects.push(Effect::Text(Text::Booked));
            }
            // It stays where it waits, in its place.
            run.noted = true;
        }
        (Event::CallbackChosen { .. }, _) => return Err(illegal("chosen on the line")),
        (Event::CallerHungUp, Phase::Waiting | Phase::Paused) if callback.on_the_line() => {
            run.complete(Reason::Abandoned);
            run.effects.push(Effect::Purge);
        }
        (Event::CallerHungUp, _) => return Err(illegal("hung up on")),
    }
    Ok(run.finish())
}
