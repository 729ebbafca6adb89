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
    // Booked is said before anything the booking starts (the first call's text).
    if service.scenario.texts.confirmation {
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
        (Event::AgentReserved { agent }, Phase::AwaitingAgent) => {
            run.notify("_cbe_on_target_found");
            run.effects.push(Effect::Offer {
                agent: agent.clone(),
                preview: false,
            });
            run.callback.phase = Phase::Connected { agent };
        }
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
        (Event::Connected, Phase::Dialing { agent }) => run.answered(agent),
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
    }
    Ok(run.finish())
}

fn secs(n: u32) -> Duration {
    Duration::seconds(i64::from(n))
}

struct Run<'a> {
    from: Option<State>,
    callback: Callback,
    effects: Vec<Effect>,
    service: &'a CallbackService,
    now: DateTime<Utc>,
    actor: Actor,
    /// Record a history event even if the state stays the same (a reschedule).
    noted: bool,
}

impl Run<'_> {
    fn set_timer(&mut self, timer: Timer, seconds: u32) {
        self.effects.push(Effect::SetTimer {
            timer,
            at: self.now.plus(secs(seconds)),
        });
    }

    fn notify(&mut self, event: &'static str) {
        if self.service.notifications.wants(event) {
            self.effects.push(Effect::Notify(event));
        }
    }

    /// Frees the agent and clears the timers of the current phase.
    fn leave_phase(&mut self) {
        if let Some(agent) = self.callback.phase.agent() {
            self.effects.push(Effect::ReleaseAgent {
                agent: agent.to_string(),
            });
        }
        self.effects
            .extend(Timer::STAGE.iter().map(|t| Effect::ClearTimer(*t)));
    }

    fn complete(&mut self, reason: Reason) {
        self.leave_phase();
        self.callback.phase = Phase::Completed { reason };
        // Kept `_retention_days` after it ended at most, whatever `_ttl` says.
        let kept_until = self.now.plus(Duration::days(i64::from(
            self.service.scenario.retention_days,
        )));
        if kept_until < self.callback.expires {
            self.callback.expires = kept_until;
            self.effects.push(Effect::SetTimer {
                timer: Timer::Expire,
                at: kept_until,
            });
        }
    }

    /// A scheduled callback's reminder, `_sms_reminder` before its time, if that is still ahead.
    fn remind(&mut self) {
        let lead = self.service.scenario.texts.reminder_secs;
        if lead == 0 {
            return;
        }
        let at = self.callback.desired_time.minus(secs(lead));
        if self.callback.phase == Phase::Scheduled && at > self.now {
            self.effects.push(Effect::SetTimer {
                timer: Timer::Reminder,
                at,
            });
        } else {
            self.effects.push(Effect::ClearTimer(Timer::Reminder));
        }
    }

    /// Stays SCHEDULED until the execution buffer, or queues at once.
    fn schedule_or_queue(&mut self, scheduled: bool) {
        let submit_at = self
            .callback
            .desired_time
            .minus(secs(self.service.schedule.execution_buffer_secs));
        if scheduled && submit_at > self.now {
            self.callback.phase = Phase::Scheduled;
            self.effects.push(Effect::SetTimer {
                timer: Timer::Submit,
                at: submit_at,
            });
        } else {
            self.enter_queue();
        }
    }

    /// Into the queue: wait for an agent, or dial at once (customer first, not waiting for an
    /// agent, with a dialer or a telephony provider to do it).
    fn enter_queue(&mut self) {
        let s = &self.callback.selectors;
        if self.service.scenario.paused {
            self.callback.phase = Phase::Paused;
        } else if s.direction == Direction::UserTerminated
            && !s.wait_for_agent
            && s.first_party == FirstParty::Customer
            && self.service.scenario.places_calls()
        {
            self.dial(None);
        } else if s.direction == Direction::UserOriginated && !s.wait_for_agent {
            // No agent is held while the customer dials: one is sought when the call arrives.
            self.callback.phase = Phase::AwaitingCall;
        } else {
            self.callback.phase = Phase::Waiting;
            self.effects.push(Effect::SeekAgent);
        }
    }

    fn accepted(&mut self, agent: String) {
        if self.callback.selectors.wait_for_user_confirm {
            self.callback.phase = Phase::Confirming { agent, attempt: 1 };
            self.ask_confirm();
        } else {
            self.dial(Some(agent));
        }
    }

    /// Asks the customer (the manage page shows it; others hear it as a status update, the record's
    /// `_phase` being `confirming`), within `_user_confirm_timeout`.
    fn ask_confirm(&mut self) {
        self.effects.push(Effect::AskConfirm);
        self.notify("_cbe_on_callback_status_updated");
        self.set_timer(Timer::Confirm, self.service.scenario.user_confirm_timeout);
    }

    fn rejected(&mut self, agent: String) {
        self.callback.rejects = self.callback.rejects.saturating_add(1);
        let limit = self.service.scenario.agent_preview_allow_reject;
        if limit > 0 && self.callback.rejects >= limit {
            self.complete(Reason::AgentPreviewCancelAfterRejects(limit));
        } else {
            self.effects.push(Effect::ClearTimer(Timer::Offer));
            self.effects.push(Effect::ReleaseAgent { agent });
            self.callback.phase = Phase::Waiting;
            self.effects.push(Effect::SeekAgent);
        }
    }

    /// Back in the queue, without its agent, for the next one.
    fn requeue(&mut self) {
        self.leave_phase();
        self.callback.phase = Phase::Waiting;
        self.effects.push(Effect::SeekAgent);
    }

    fn dial(&mut self, agent: Option<String>) {
        self.effects.push(Effect::ClearTimer(Timer::Confirm));
        self.callback.phase = Phase::Dialing { agent };
        if self.callback.selectors.direction == Direction::UserOriginated {
            self.effects.push(Effect::ProvideAccess);
        } else {
            if self.callback.dial_attempts == 0 && self.service.scenario.texts.calling {
                self.effects.push(Effect::Text(Text::Calling));
            }
            self.callback.dial_attempts = self.callback.dial_attempts.saturating_add(1);
            self.effects.push(Effect::Dial {
                attempt: self.callback.dial_attempts,
                first: self.callback.selectors.first_party,
            });
        }
    }

    /// The customer is on the line: with the agent, or waiting for one.
    fn answered(&mut self, agent: Option<String>) {
        match agent {
            Some(agent) => self.callback.phase = Phase::Connected { agent },
            None => {
                self.callback.phase = Phase::AwaitingAgent;
                self.effects.push(Effect::SeekAgent);
            }
        }
    }

    fn finish(mut self) -> Step {
        // Notifications carry the record, so they go out before it is purged.
        let purge = self.effects.last() == Some(&Effect::Purge);
        if purge {
            self.effects.pop();
        }
        let to = self.callback.state();
        let reason = self.callback.phase.reason();
        if self.from != Some(to) {
            let mut events: Vec<&'static str> = Vec::new();
            match to {
                State::Scheduled if self.from.is_none() => {
                    events.push("_cbe_on_callback_scheduled")
                }
                State::Queued => {
                    events.extend(["_cbe_on_callback_queued", "_cbe_on_callback_submitted"])
                }
                State::Routing => events.push("_cbe_on_dial_init"),
                State::Processing => events.push("_cbe_on_route_to_agent"),
                State::Completed => {
                    if matches!(reason, Some(Reason::Cancelled | Reason::CancelledByAdmin)) {
                        events.push("_cbe_on_callback_cancelled");
                    }
                    events.push("_cbe_on_service_exit");
                }
                _ => {}
            }
            if self.from.is_some() {
                events.push("_cbe_on_callback_status_updated");
            }
            for e in events {
                self.notify(e);
            }
        }
        if purge {
            self.effects.push(Effect::Purge);
        }
        let change = (self.from != Some(to) || self.noted).then(|| Change {
            at: self.now,
            from: self.from,
            to,
            reason,
            actor: self.actor.clone(),
        });
        Step {
            callback: self.callback,
            effects: self.effects,
            change,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::testkit::options;
    use crate::testkit::t;

    const NOW: &str = "2026-12-01T09:00:00Z";

    fn service(pairs: &[(&str, &str)]) -> CallbackService {
        let mut all = vec![
            ("_service", "callback"),
            ("_enable_status_notification", "subscribe_notify"),
            ("_status_notification_target", "https://hooks.example/cb"),
        ];
        all.extend_from_slice(pairs);
        let mut config = Config::new();
        config.put("service.s", options(&all)).unwrap();
        config.callback_service("s").unwrap()
    }

    fn new(service: &CallbackService, scheduled: Option<&str>) -> NewCallback {
        let sc = &service.scenario;
        NewCallback {
            id: "cb1".into(),
            customer_number: "+33612345678".into(),
            scheduled: scheduled.map(|s| (t(s), t(s))),
            queued_since: None,
            selectors: Selectors {
                direction: sc.direction,
                media_type: sc.media_type.clone(),
                wait_for_agent: sc.wait_for_agent,
                wait_for_user_confirm: sc.wait_for_user_confirm,
                first_party: sc.first_party,
            },
            system: BTreeMap::new(),
            user_data: BTreeMap::new(),
        }
    }

    /// Runs events in order, each `seconds` after the start, and answers the last step.
    fn run(service: &CallbackService, start: Step, events: &[(i64, Event, Actor)]) -> Step {
        events.iter().fold(start, |step, (after, event, actor)| {
            apply(
                &step.callback,
                event.clone(),
                service,
                t(NOW) + Duration::seconds(*after),
                actor.clone(),
            )
            .unwrap()
        })
    }

    fn agent(id: &str) -> Actor {
        Actor::Agent(id.into())
    }

    fn reserved(id: &str) -> Event {
        Event::AgentReserved { agent: id.into() }
    }

    fn has(step: &Step, effect: &Effect) -> bool {
        step.effects.contains(effect)
    }

    fn notified(step: &Step) -> Vec<&'static str> {
        step.effects
            .iter()
            .filter_map(|e| {
                if let Effect::Notify(n) = e {
                    Some(*n)
                } else {
                    None
                }
            })
            .collect()
    }

    #[test]
    fn immediate_waits_for_an_agent_then_dials_the_customer_and_completes() {
        let s = service(&[]);
        let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
        assert_eq!(step.callback.state(), State::Queued);
        assert!(has(&step, &Effect::SeekAgent));
        assert!(has(
            &step,
            &Effect::SetTimer {
                timer: Timer::Expire,
                at: t("2026-12-02T09:00:00Z")
            }
        ));
        assert_eq!(
            step.change.as_ref().map(|c| (c.from, c.to)),
            Some((None, State::Queued))
        );
        assert_eq!(
            notified(&step),
            ["_cbe_on_callback_queued", "_cbe_on_callback_submitted"]
        );
        let dialing = run(&s, step.clone(), &[(10, reserved("a1"), Actor::System)]);
        assert_eq!(dialing.callback.state(), State::Routing);
        assert!(has(
            &dialing,
            &Effect::Dial {
                attempt: 1,
                first: FirstParty::Customer
            }
        ));
        assert!(has(
            &dialing,
            &Effect::Offer {
                agent: "a1".into(),
                preview: false
            }
        ));
        let done = run(
            &s,
            step,
            &[
                (10, reserved("a1"), Actor::System),
                (20, Event::DialResult(DialOutcome::Answered), Actor::Dialer),
                (30, Event::CallEnded, agent("a1")),
            ],
        );
        assert_eq!(
            done.callback.phase,
            Phase::Completed {
                reason: Reason::AgentConnected
            }
        );
        assert!(has(&done, &Effect::ReleaseAgent { agent: "a1".into() }));
        assert_eq!(
            notified(&done),
            ["_cbe_on_service_exit", "_cbe_on_callback_status_updated"]
        );
    }

    #[test]
    fn immediate_with_a_dialer_and_no_wait_dials_at_once_and_waits_for_an_agent_on_the_line() {
        let s = service(&[("_dialer_url", "https://dialer.example/dial")]);
        let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
        assert_eq!(step.callback.phase, Phase::Dialing { agent: None });
        assert!(has(
            &step,
            &Effect::Dial {
                attempt: 1,
                first: FirstParty::Customer
            }
        ));
        let answered = run(
            &s,
            step,
            &[(5, Event::DialResult(DialOutcome::Answered), Actor::Dialer)],
        );
        assert_eq!(answered.callback.phase, Phase::AwaitingAgent);
        assert!(has(&answered, &Effect::SeekAgent));
        let connected = run(&s, answered, &[(9, reserved("a1"), Actor::System)]);
        assert_eq!(connected.callback.state(), State::Processing);
    }

    #[test]
    fn texts_confirm_remind_and_announce_the_first_call_only() {
        let s = service(&[
            ("_telephony", "twilio"),
            ("_twilio_account_sid", "AC0123456789abcdef0123456789abcdef"),
            ("_twilio_caller_id", "+15005550006"),
            ("_sms_confirmation", "true"),
            ("_sms_reminder", "600"),
            ("_sms_calling", "true"),
            ("_max_dial_attempts", "3"),
        ]);
        let texts = |step: &Step| -> Vec<Text> {
            step.effects
                .iter()
                .filter_map(|e| match e {
                    Effect::Text(t) => Some(*t),
                    _ => None,
                })
                .collect()
        };
        let booked = create(
            new(&s, Some("2026-12-01T10:00:00Z")),
            &s,
            t(NOW),
            Actor::Customer,
        );
        assert_eq!(texts(&booked), [Text::Booked]);
        let reminder = |at| Effect::SetTimer {
            timer: Timer::Reminder,
            at: t(at),
        };
        assert!(has(&booked, &reminder("2026-12-01T09:50:00Z")));
        let reminded = run(
            &s,
            booked.clone(),
            &[(3000, Event::Timer(Timer::Reminder), Actor::System)],
        );
        assert_eq!(texts(&reminded), [Text::Reminder]);
        // Moved: the reminder moves; moved too near, it goes.
        let later = Event::Reschedule {
            desired: t("2026-12-01T11:00:00Z"),
            bucket: None,
        };
        let moved = run(&s, booked.clone(), &[(60, later, Actor::Customer)]);
        assert!(has(&moved, &reminder("2026-12-01T10:50:00Z")));
        let soon = Event::Reschedule {
            desired: t("2026-12-01T09:05:00Z"),
            bucket: None,
        };
        let near = run(&s, booked.clone(), &[(60, soon, Actor::Customer)]);
        assert!(has(&near, &Effect::ClearTimer(Timer::Reminder)));
        // Due within the reminder's lead: no reminder at all.
        let due = create(
            new(&s, Some("2026-12-01T09:05:00Z")),
            &s,
            t(NOW),
            Actor::Customer,
        );
        assert!(!due.effects.iter().any(|e| matches!(
            e,
            Effect::SetTimer {
                timer: Timer::Reminder,
                ..
            }
        )));
        let cancelled = run(&s, booked, &[(10, Event::Cancel, Actor::Customer)]);
        let late = run(
            &s,
            cancelled,
            &[(3000, Event::Timer(Timer::Reminder), Actor::System)],
        );
        assert_eq!(texts(&late), []);

        // Customer first, not waiting for an agent: the call starts at once.
        let first = create(new(&s, None), &s, t(NOW), Actor::Customer);
        assert_eq!(texts(&first), [Text::Booked, Text::Calling]);
        let busy = run(
            &s,
            first,
            &[(20, Event::DialResult(DialOutcome::Busy), Actor::Dialer)],
        );
        let second = run(
            &s,
            busy,
            &[(400, Event::Timer(Timer::DialRetry), Actor::System)],
        );
        assert_eq!(second.callback.dial_attempts, 2);
        assert_eq!(texts(&second), []);
    }

    #[test]
    fn scheduled_becomes_queued_by_its_timer_and_not_before() {
        let s = service(&[]);
        let step = create(
            new(&s, Some("2026-12-01T10:00:00Z")),
            &s,
            t(NOW),
            Actor::Customer,
        );
        assert_eq!(step.callback.state(), State::Scheduled);
        assert!(has(
            &step,
            &Effect::SetTimer {
                timer: Timer::Submit,
                at: t("2026-12-01T09:58:00Z")
            }
        ));
        assert_eq!(notified(&step), ["_cbe_on_callback_scheduled"]);
        let queued = run(
            &s,
            step.clone(),
            &[(3480, Event::Timer(Timer::Submit), Actor::System)],
        );
        assert_eq!(queued.callback.state(), State::Queued);
        // Within the buffer it queues at creation (GMS: "15 s ahead is QUEUED at creation").
        let soon = create(
            new(&s, Some("2026-12-01T09:01:00Z")),
            &s,
            t(NOW),
            Actor::Customer,
        );
        assert_eq!(soon.callback.state(), State::Queued);
        // A timer that fires twice changes nothing the second time.
        let again = apply(
            &queued.callback,
            Event::Timer(Timer::Submit),
            &s,
            t(NOW),
            Actor::System,
        )
        .unwrap();
        assert_eq!(
            (again.callback.state(), again.change, again.effects.len()),
            (State::Queued, None, 0)
        );
    }

    #[test]
    fn delayed_with_customer_confirmation() {
        let s = service(&[
            ("_wait_for_agent", "true"),
            ("_wait_for_user_confirm", "true"),
            ("_user_confirm_timeout", "20"),
        ]);
        let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
        let asked = run(&s, step, &[(5, reserved("a1"), Actor::System)]);
        assert_eq!(
            asked.callback.phase,
            Phase::Confirming {
                agent: "a1".into(),
                attempt: 1
            }
        );
        assert!(has(&asked, &Effect::AskConfirm));
        assert_eq!(
            notified(&asked),
            ["_cbe_on_target_found", "_cbe_on_callback_status_updated"],
            "those who are not on the manage page hear of it"
        );
        assert!(has(
            &asked,
            &Effect::SetTimer {
                timer: Timer::Confirm,
                at: t(NOW) + Duration::seconds(25)
            }
        ));
        let confirmed = run(&s, asked.clone(), &[(9, Event::Confirm, Actor::Customer)]);
        assert_eq!(confirmed.callback.state(), State::Routing);
        // Default `_on_user_confirm_timeout` = CONNECT-ANYWAY: dial anyway.
        let anyway = run(
            &s,
            asked,
            &[(25, Event::Timer(Timer::Confirm), Actor::System)],
        );
        assert_eq!(anyway.callback.state(), State::Routing);
    }

    #[test]
    fn unconfirmed_callbacks_fail_after_the_attempts() {
        let s = service(&[
            ("_wait_for_agent", "true"),
            ("_wait_for_user_confirm", "true"),
            ("_on_user_confirm_timeout", "FAIL"),
            (
                "_max_number_of_user_availability_confirmation_attempts",
                "2",
            ),
        ]);
        let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
        let once = run(
            &s,
            step,
            &[
                (1, reserved("a1"), Actor::System),
                (31, Event::Timer(Timer::Confirm), Actor::System),
            ],
        );
        assert_eq!(
            once.callback.phase,
            Phase::Confirming {
                agent: "a1".into(),
                attempt: 2
            }
        );
        let twice = run(
            &s,
            once,
            &[(61, Event::Timer(Timer::Confirm), Actor::System)],
        );
        assert_eq!(
            twice.callback.phase,
            Phase::Completed {
                reason: Reason::FailUserNoConfirm
            }
        );
        assert!(has(&twice, &Effect::ReleaseAgent { agent: "a1".into() }));
    }

    #[test]
    fn agent_preview_accept_and_reject_limits() {
        let s = service(&[
            ("_agent_preview", "true"),
            ("_agent_preview_allow_reject", "2"),
            ("_userterminated_first_connect_party", "AGENT"),
        ]);
        let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
        let offered = run(&s, step.clone(), &[(1, reserved("a1"), Actor::System)]);
        assert_eq!(
            offered.callback.phase,
            Phase::Offered { agent: "a1".into() }
        );
        assert!(has(
            &offered,
            &Effect::Offer {
                agent: "a1".into(),
                preview: true
            }
        ));
        assert!(has(
            &offered,
            &Effect::SetTimer {
                timer: Timer::Offer,
                at: t(NOW) + Duration::seconds(31)
            }
        ));
        assert_eq!(
            apply(&offered.callback, Event::Accept, &s, t(NOW), agent("a2")).unwrap_err(),
            Illegal::NotYourCallback
        );
        let accepted = run(&s, offered.clone(), &[(5, Event::Accept, agent("a1"))]);
        assert!(has(
            &accepted,
            &Effect::Dial {
                attempt: 1,
                first: FirstParty::Agent
            }
        ));
        // A rejection puts it back in queue; a silent preview counts as a rejection.
        let back = run(&s, offered, &[(5, Event::Reject, agent("a1"))]);
        assert_eq!(back.callback.phase, Phase::Waiting);
        assert!(
            has(&back, &Effect::ReleaseAgent { agent: "a1".into() })
                && has(&back, &Effect::SeekAgent)
        );
        let ended = run(
            &s,
            back,
            &[
                (6, reserved("a2"), Actor::System),
                (40, Event::Timer(Timer::Offer), Actor::System),
            ],
        );
        assert_eq!(
            ended.callback.phase,
            Phase::Completed {
                reason: Reason::AgentPreviewCancelAfterRejects(2)
            }
        );
        assert_eq!(
            ended.callback.property("_callback_reason").as_deref(),
            Some("AGENT_PREVIEW_CANCEL_AFTER_2REJECTS")
        );
    }

    #[test]
    fn dial_retries_then_fail_call_to_customer() {
        let s = service(&[("_max_dial_attempts", "2"), ("_dial_retry_timeout", "60")]);
        let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
        let retry = run(
            &s,
            step,
            &[
                (1, reserved("a1"), Actor::System),
                (2, Event::DialResult(DialOutcome::Busy), Actor::Dialer),
            ],
        );
        assert_eq!(retry.callback.phase, Phase::RetryWait);
        assert!(has(&retry, &Effect::ReleaseAgent { agent: "a1".into() }));
        assert!(has(
            &retry,
            &Effect::SetTimer {
                timer: Timer::DialRetry,
                at: t(NOW) + Duration::seconds(62)
            }
        ));
        let second = run(
            &s,
            retry,
            &[
                (62, Event::Timer(Timer::DialRetry), Actor::System),
                (63, reserved("a2"), Actor::System),
            ],
        );
        assert!(has(
            &second,
            &Effect::Dial {
                attempt: 2,
                first: FirstParty::Customer
            }
        ));
        let failed = run(
            &s,
            second,
            &[(70, Event::DialResult(DialOutcome::NoAnswer), Actor::Dialer)],
        );
        assert_eq!(
            failed.callback.phase,
            Phase::Completed {
                reason: Reason::FailCallToCustomer
            }
        );
        // An invalid number fails at once.
        let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
        let invalid = run(
            &s,
            step,
            &[
                (1, reserved("a1"), Actor::System),
                (
                    2,
                    Event::DialResult(DialOutcome::InvalidNumber),
                    Actor::Dialer,
                ),
            ],
        );
        assert_eq!(
            invalid.callback.phase,
            Phase::Completed {
                reason: Reason::FailCallToCustomer
            }
        );
    }

    #[test]
    fn disposition_dialog_and_its_timeout() {
        let s = service(&[
            ("_enable_disposition_dialog", "true"),
            ("_agent_disposition_timeout", "45"),
        ]);
        let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
        let talking = run(
            &s,
            step,
            &[
                (1, reserved("a1"), Actor::System),
                (2, Event::Connected, agent("a1")),
            ],
        );
        assert_eq!(talking.callback.state(), State::Processing);
        let ended = run(&s, talking, &[(100, Event::CallEnded, agent("a1"))]);
        assert_eq!(
            ended.callback.phase,
            Phase::Disposition { agent: "a1".into() }
        );
        assert!(has(
            &ended,
            &Effect::SetTimer {
                timer: Timer::Disposition,
                at: t(NOW) + Duration::seconds(145)
            }
        ));
        let d = Disposition {
            code: "SALE".into(),
            note: "new contract".into(),
        };
        let recorded = run(
            &s,
            ended.clone(),
            &[(110, Event::Disposition(d.clone()), agent("a1"))],
        );
        assert_eq!(
            (
                recorded.callback.phase.reason(),
                recorded.callback.disposition
            ),
            (Some(Reason::AgentConnected), Some(d))
        );
        let timed_out = run(
            &s,
            ended,
            &[(145, Event::Timer(Timer::Disposition), Actor::System)],
        );
        assert_eq!(
            (
                timed_out.callback.phase.reason(),
                timed_out.callback.disposition
            ),
            (Some(Reason::AgentConnected), None)
        );
    }

    #[test]
    fn cancel_from_any_open_state_and_never_twice() {
        let s = service(&[]);
        let scheduled = create(
            new(&s, Some("2026-12-01T12:00:00Z")),
            &s,
            t(NOW),
            Actor::Customer,
        );
        let cancelled = run(&s, scheduled, &[(1, Event::Cancel, Actor::Customer)]);
        assert_eq!(
            cancelled.callback.phase,
            Phase::Completed {
                reason: Reason::Cancelled
            }
        );
        assert!(has(&cancelled, &Effect::ClearTimer(Timer::Submit)));
        assert_eq!(
            notified(&cancelled),
            [
                "_cbe_on_callback_cancelled",
                "_cbe_on_service_exit",
                "_cbe_on_callback_status_updated"
            ]
        );
        assert_eq!(
            apply(
                &cancelled.callback,
                Event::Cancel,
                &s,
                t(NOW),
                Actor::Customer
            )
            .unwrap_err(),
            Illegal::State {
                state: State::Completed,
                action: "cancelled"
            }
        );
        let routing = run(
            &s,
            create(new(&s, None), &s, t(NOW), Actor::Customer),
            &[(1, reserved("a1"), Actor::System)],
        );
        let through_api = run(&s, routing.clone(), &[(2, Event::Cancel, Actor::Admin)]);
        assert_eq!(
            through_api.callback.phase,
            Phase::Completed {
                reason: Reason::Cancelled
            },
            "the service API's cancel, even with admin credentials"
        );
        assert_eq!(through_api.change.unwrap().actor, Actor::Admin);
        let by_admin = run(&s, routing, &[(2, Event::AdminCancel, Actor::Admin)]);
        assert_eq!(
            by_admin.callback.phase,
            Phase::Completed {
                reason: Reason::CancelledByAdmin
            }
        );
        assert!(has(&by_admin, &Effect::ReleaseAgent { agent: "a1".into() }));
        assert_eq!(by_admin.change.unwrap().actor, Actor::Admin);
    }

    #[test]
    fn reschedule_only_scheduled_or_queued() {
        let s = service(&[]);
        let step = create(
            new(&s, Some("2026-12-01T12:00:00Z")),
            &s,
            t(NOW),
            Actor::Customer,
        );
        let moved = run(
            &s,
            step,
            &[(
                1,
                Event::Reschedule {
                    desired: t("2026-12-02T12:00:00Z"),
                    bucket: Some(t("2026-12-02T12:00:00Z")),
                },
                Actor::Customer,
            )],
        );
        assert_eq!(
            (moved.callback.state(), moved.callback.desired_time),
            (State::Scheduled, t("2026-12-02T12:00:00Z"))
        );
        assert!(has(
            &moved,
            &Effect::SetTimer {
                timer: Timer::Submit,
                at: t("2026-12-02T11:58:00Z")
            }
        ));
        assert!(has(
            &moved,
            &Effect::SetTimer {
                timer: Timer::Expire,
                at: t("2026-12-03T12:00:00Z")
            }
        ));
        assert_eq!(notified(&moved), ["_cbe_on_callback_rescheduled"]);
        assert_eq!(
            moved.change.as_ref().map(|c| (c.from, c.to)),
            Some((Some(State::Scheduled), State::Scheduled)),
            "a reschedule is in the history"
        );
        let done = run(&s, moved, &[(2, Event::Cancel, Actor::Customer)]);
        let again = apply(
            &done.callback,
            Event::Reschedule {
                desired: t("2026-12-03T12:00:00Z"),
                bucket: None,
            },
            &s,
            t(NOW),
            Actor::Customer,
        );
        assert_eq!(
            again.unwrap_err(),
            Illegal::State {
                state: State::Completed,
                action: "rescheduled"
            }
        );
        let routing = run(
            &s,
            create(new(&s, None), &s, t(NOW), Actor::Customer),
            &[(1, reserved("a1"), Actor::System)],
        );
        assert!(apply(
            &routing.callback,
            Event::Reschedule {
                desired: t("2026-12-03T12:00:00Z"),
                bucket: None
            },
            &s,
            t(NOW),
            Actor::Customer
        )
        .is_err());
    }

    #[test]
    fn agents_act_only_on_their_own_callback_and_may_reschedule_it() {
        let s = service(&[]);
        let routing = run(
            &s,
            create(new(&s, None), &s, t(NOW), Actor::Customer),
            &[(1, reserved("a1"), Actor::System)],
        );
        for event in [
            Event::DialResult(DialOutcome::Answered),
            Event::Connected,
            Event::CallEnded,
        ] {
            assert_eq!(
                apply(&routing.callback, event, &s, t(NOW), agent("a2")).unwrap_err(),
                Illegal::NotYourCallback
            );
        }
        let later = t("2026-12-02T10:00:00Z");
        assert!(apply(
            &routing.callback,
            Event::Reschedule {
                desired: later,
                bucket: None
            },
            &s,
            t(NOW),
            Actor::Customer
        )
        .is_err());
        let moved = run(
            &s,
            routing,
            &[(
                5,
                Event::Reschedule {
                    desired: later,
                    bucket: Some(later),
                },
                agent("a1"),
            )],
        );
        assert_eq!(
            (moved.callback.state(), moved.callback.desired_time),
            (State::Scheduled, later)
        );
        assert!(has(&moved, &Effect::ReleaseAgent { agent: "a1".into() }));
        assert_eq!(
            moved.callback.dial_attempts, 1,
            "the attempts made stay counted"
        );
    }

    #[test]
    fn ttl_fails_open_callbacks_then_purges() {
        let s = service(&[]);
        let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
        let expired = run(
            &s,
            step,
            &[(86_400, Event::Timer(Timer::Expire), Actor::System)],
        );
        assert_eq!(
            expired.callback.phase,
            Phase::Completed {
                reason: Reason::FailTimeoutTtl
            }
        );
        assert_eq!(expired.effects.last(), Some(&Effect::Purge));
        let purged = run(
            &s,
            expired,
            &[(86_401, Event::Timer(Timer::Expire), Actor::System)],
        );
        assert_eq!(purged.effects, [Effect::Purge]);
    }

    #[test]
    fn completed_callbacks_are_purged_after_the_retention_even_with_a_longer_ttl() {
        let s = service(&[("_ttl", "31536000"), ("_retention_days", "7")]);
        let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
        let cancelled = run(&s, step, &[(60, Event::Cancel, Actor::Customer)]);
        let purge_at = t(NOW) + Duration::seconds(60) + Duration::days(7);
        assert_eq!(cancelled.callback.expires, purge_at);
        assert!(has(
            &cancelled,
            &Effect::SetTimer {
                timer: Timer::Expire,
                at: purge_at
            }
        ));
        assert_eq!(
            run(
                &s,
                cancelled,
                &[(60 + 7 * 86_400, Event::Timer(Timer::Expire), Actor::System)]
            )
            .effects,
            [Effect::Purge]
        );
        // A _ttl shorter than the retention still rules.
        let short = service(&[]);
        let done = run(
            &short,
            create(new(&short, None), &short, t(NOW), Actor::Customer),
            &[(60, Event::Cancel, Actor::Customer)],
        );
        assert_eq!(done.callback.expires, t(NOW) + Duration::days(1));
    }

    #[test]
    fn pause_and_resume() {
        let paused_service = service(&[("_paused", "true")]);
        let step = create(
            new(&paused_service, None),
            &paused_service,
            t(NOW),
            Actor::Customer,
        );
        assert_eq!(step.callback.state(), State::Paused);
        let s = service(&[]);
        let resumed = run(&s, step, &[(5, Event::Resume, Actor::Admin)]);
        assert_eq!(resumed.callback.state(), State::Queued);
        let paused = run(&s, resumed, &[(6, Event::Pause, Actor::Admin)]);
        assert_eq!(paused.callback.state(), State::Paused);
    }

    #[test]
    fn user_originated_gives_the_access_number_instead_of_dialing() {
        let s = service(&[
            ("_call_direction", "USERORIGINATED"),
            ("_wait_for_agent", "true"),
            ("_wait_for_user_confirm", "true"),
        ]);
        let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
        let confirmed = run(
            &s,
            step,
            &[
                (1, reserved("a1"), Actor::System),
                (2, Event::Confirm, Actor::Customer),
            ],
        );
        assert!(has(&confirmed, &Effect::ProvideAccess));
        assert_eq!(confirmed.callback.dial_attempts, 0);
        let talking = run(&s, confirmed, &[(30, Event::Connected, Actor::System)]);
        assert_eq!(
            talking.callback.phase,
            Phase::Connected { agent: "a1".into() }
        );
    }

    #[test]
    fn user_originated_immediate_waits_for_the_call_then_for_an_agent() {
        let s = service(&[("_call_direction", "USERORIGINATED")]);
        let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
        assert_eq!(step.callback.phase, Phase::AwaitingCall);
        assert!(
            !has(&step, &Effect::SeekAgent),
            "no agent is held while the customer dials"
        );
        let arrived = run(&s, step, &[(20, Event::CallerArrived, Actor::System)]);
        assert_eq!(arrived.callback.phase, Phase::AwaitingAgent);
        assert!(has(&arrived, &Effect::SeekAgent));
        let talking = run(&s, arrived, &[(25, reserved("a1"), Actor::System)]);
        assert_eq!(
            talking.callback.phase,
            Phase::Connected { agent: "a1".into() }
        );
        let ut = service(&[]);
        let queued = create(new(&ut, None), &ut, t(NOW), Actor::Customer);
        assert!(
            apply(
                &queued.callback,
                Event::CallerArrived,
                &ut,
                t(NOW),
                Actor::System
            )
            .is_err(),
            "only user-originated callbacks wait for a call"
        );
    }

    #[test]
    fn illegal_events_are_refused_not_ignored() {
        let s = service(&[]);
        let scheduled = create(
            new(&s, Some("2026-12-01T12:00:00Z")),
            &s,
            t(NOW),
            Actor::Customer,
        );
        for event in [
            Event::Accept,
            Event::Confirm,
            Event::CallEnded,
            Event::Connected,
            Event::DialResult(DialOutcome::Answered),
            reserved("a1"),
            Event::Resume,
            Event::Pause,
        ] {
            assert!(
                apply(&scheduled.callback, event.clone(), &s, t(NOW), agent("a1")).is_err(),
                "{event:?}"
            );
        }
    }

    #[test]
    fn notifications_follow_the_events_list() {
        let s = service(&[("_callback_events_list", "_cbe_on_callback_cancelled")]);
        let step = create(new(&s, None), &s, t(NOW), Actor::Customer);
        assert!(notified(&step).is_empty());
        let cancelled = run(&s, step, &[(1, Event::Cancel, Actor::Customer)]);
        assert_eq!(notified(&cancelled), ["_cbe_on_callback_cancelled"]);
    }

    #[test]
    fn timers_and_outcomes_have_stable_names() {
        for timer in Timer::ALL {
            assert_eq!(timer.as_str().parse::<Timer>(), Ok(timer));
        }
        assert_eq!(
            "no_answer".parse::<DialOutcome>(),
            Ok(DialOutcome::NoAnswer)
        );
        assert!("HUNG".parse::<DialOutcome>().is_err());
    }

    #[test]
    fn a_removed_agent_gives_back_what_was_not_under_way() {
        let s = service(&[("_agent_preview", "true")]);
        let offered = run(
            &s,
            create(new(&s, None), &s, t(NOW), Actor::Customer),
            &[(1, reserved("a1"), Actor::System)],
        );
        let back = run(&s, offered, &[(2, Event::AgentGone, Actor::System)]);
        assert_eq!(back.callback.phase, Phase::Waiting);
        assert!(
            has(&back, &Effect::ReleaseAgent { agent: "a1".into() })
                && has(&back, &Effect::SeekAgent)
        );
        assert_eq!(back.callback.rejects, 0, "not a rejection");
        let plain = service(&[]);
        let dialing = run(
            &plain,
            create(new(&plain, None), &plain, t(NOW), Actor::Customer),
            &[(1, reserved("a1"), Actor::System)],
        );
        assert!(matches!(
            dialing.callback.phase,
            Phase::Dialing { agent: Some(_) }
        ));
        let connected = run(
            &plain,
            dialing.clone(),
            &[(2, Event::Connected, agent("a1"))],
        );
        let ended = run(&plain, connected, &[(3, Event::AgentGone, Actor::System)]);
        assert_eq!(
            ended.callback.phase,
            Phase::Completed {
                reason: Reason::AgentConnected
            }
        );
        let waiting = run(&plain, dialing, &[(2, Event::AgentGone, Actor::System)]);
        assert!(scenario_apply_fails(&waiting, &plain));
    }

    fn scenario_apply_fails(step: &Step, s: &CallbackService) -> bool {
        apply(&step.callback, Event::AgentGone, s, t(NOW), Actor::System).is_err()
    }
}
