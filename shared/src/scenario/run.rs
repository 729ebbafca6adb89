//! A step's work in progress: the callback as it changes and the effects it asks for, with the
//! moves the table in `mod.rs` shares (queue, dial, complete, …).

use super::*;

pub(super) fn secs(n: u32) -> Duration {
    Duration::seconds(i64::from(n))
}

pub(super) struct Run<'a> {
    pub(super) from: Option<State>,
    pub(super) callback: Callback,
    pub(super) effects: Vec<Effect>,
    pub(super) service: &'a CallbackService,
    pub(super) now: DateTime<Utc>,
    pub(super) actor: Actor,
    /// Record a history event even if the state stays the same (a reschedule).
    pub(super) noted: bool,
}

impl Run<'_> {
    pub(super) fn set_timer(&mut self, timer: Timer, seconds: u32) {
        self.effects.push(Effect::SetTimer {
            timer,
            at: self.now.plus(secs(seconds)),
        });
    }

    pub(super) fn notify(&mut self, event: &'static str) {
        if self.service.notifications.wants(event) {
            self.effects.push(Effect::Notify(event));
        }
    }

    /// Frees the agent and clears the timers of the current phase.
    pub(super) fn leave_phase(&mut self) {
        if let Some(agent) = self.callback.phase.agent() {
            self.effects.push(Effect::ReleaseAgent {
                agent: agent.to_string(),
            });
        }
        self.effects
            .extend(Timer::STAGE.iter().map(|t| Effect::ClearTimer(*t)));
    }

    /// A chat still open for its customer ends for them (once: not after the disposition began).
    pub(super) fn end_chat(&mut self) {
        let open = !matches!(
            self.callback.phase,
            Phase::Disposition { .. } | Phase::Completed { .. }
        );
        if self.callback.selectors.is_chat() && open {
            self.effects.push(Effect::ChatEnded {
                by: self.actor.clone(),
            });
        }
    }

    pub(super) fn complete(&mut self, reason: Reason) {
        self.end_chat();
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
    pub(super) fn remind(&mut self) {
        let lead = self.service.scenario.texts.reminder_secs;
        if lead == 0 || self.callback.selectors.is_chat() {
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
    pub(super) fn schedule_or_queue(&mut self, scheduled: bool) {
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
    pub(super) fn enter_queue(&mut self) {
        let s = &self.callback.selectors;
        if self.service.scenario.paused {
            self.callback.phase = Phase::Paused;
        } else if s.is_chat() || self.callback.on_the_line() {
            // A chat, or a caller already on the line, has no number to dial and none to give:
            // it waits for its agent.
            self.callback.phase = Phase::Waiting;
            self.effects.push(Effect::SeekAgent);
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

    pub(super) fn accepted(&mut self, agent: String) {
        if self.callback.selectors.wait_for_user_confirm {
            self.callback.phase = Phase::Confirming { agent, attempt: 1 };
            self.ask_confirm();
        } else {
            self.dial(Some(agent));
        }
    }

    /// Asks the customer (the manage page shows it; others hear it as a status update, the record's
    /// `_phase` being `confirming`), within `_user_confirm_timeout`.
    pub(super) fn ask_confirm(&mut self) {
        self.effects.push(Effect::AskConfirm);
        // A chat's customer may have left the page: a service that texts tells them once.
        let first = matches!(self.callback.phase, Phase::Confirming { attempt: 1, .. });
        if self.callback.selectors.is_chat() && first && self.service.scenario.texts.any() {
            self.effects.push(Effect::Text(Text::ChatReady));
        }
        self.notify("_cbe_on_callback_status_updated");
        self.set_timer(Timer::Confirm, self.service.scenario.user_confirm_timeout);
    }

    pub(super) fn rejected(&mut self, agent: String) {
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
    pub(super) fn requeue(&mut self) {
        self.leave_phase();
        self.callback.phase = Phase::Waiting;
        self.effects.push(Effect::SeekAgent);
    }

    pub(super) fn dial(&mut self, agent: Option<String>) {
        self.effects.push(Effect::ClearTimer(Timer::Confirm));
        if self.callback.selectors.is_chat() {
            if let Some(agent) = agent {
                // A chat's agent joins it at once: the customer is in it already.
                self.effects.push(Effect::ChatJoined {
                    agent: agent.clone(),
                });
                self.callback.phase = Phase::Connected { agent };
                return;
            }
        }
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

    /// The customer waits on the line: their agent is put through, nobody is dialled.
    pub(super) fn put_through(&mut self, agent: String) {
        self.notify("_cbe_on_target_found");
        self.effects.push(Effect::Offer {
            agent: agent.clone(),
            preview: false,
        });
        self.callback.phase = Phase::Connected { agent };
    }

    /// The customer is on the line: with the agent, or waiting for one.
    pub(super) fn answered(&mut self, agent: Option<String>) {
        match agent {
            Some(agent) => self.callback.phase = Phase::Connected { agent },
            None => {
                self.callback.phase = Phase::AwaitingAgent;
                self.effects.push(Effect::SeekAgent);
            }
        }
    }

    pub(super) fn finish(mut self) -> Step {
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
