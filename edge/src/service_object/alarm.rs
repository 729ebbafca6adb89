//! The object's one alarm: it runs due timers through the state machine, delivers the outbox,
//! and, once a deleted service's grace period is over, erases what the service stored.

use super::ServiceObject;
use crate::error::{ApiError, ApiResult};
use callback_shared::config::CallbackService;
use callback_shared::iso;
use callback_shared::scenario::{self, Actor, Event};
use callback_shared::wire::Due;
use chrono::DateTime;

/// Timers run in batches of this many.
const TIMER_BATCH: u32 = 200;
const DAY_MS: i64 = 86_400_000;

impl ServiceObject {
    pub(super) async fn on_alarm(&self) -> ApiResult<()> {
        self.alarm.set(None);
        self.ready()?;
        // Without a usable configuration timers and webhooks wait, and the alarm rests: the
        // configuration's next push sets it again.
        let Ok(service) = self.view("").and_then(|v| v.callback()) else {
            return self.forget_if_deleted().await;
        };
        self.run_timers(&service)?;
        self.talk(&service).await?;
        self.deliver_webhooks(&service).await?;
        // A call the provider refused ended its dial: an agent may be free again.
        self.talk(&service).await?;
        self.sync_alarm().await
    }

    /// Moves this service's clock `ms` forward (tests only: the Worker asks it only where
    /// `CLOCK_CONTROL` is on) and runs what is then due, as the alarm would; answers what is left
    /// once every delivery it made due was tried.
    pub(super) async fn advance(&self, ms: i64) -> ApiResult<Due> {
        let skew = self.skew.get().saturating_add(ms);
        self.store.set_clock_skew(skew)?;
        self.skew.set(skew);
        // A delivery under way (the alarm's) ends first, so that what this answers is done.
        for _ in 0..300 {
            if !self.delivering.get() {
                break;
            }
            worker::Delay::from(std::time::Duration::from_millis(50)).await;
        }
        self.on_alarm().await?;
        // A deleted service whose grace ended has erased everything, its tables too.
        let (next, undelivered) = if self.migrated.get() {
            (self.store.next_due()?, self.store.undelivered()?)
        } else {
            (None, 0)
        };
        Ok(Due {
            now: iso::format(self.now()),
            next: next.map(iso::format),
            undelivered,
        })
    }

    /// Runs every due timer through the state machine.
    fn run_timers(&self, service: &CallbackService) -> ApiResult<()> {
        let now = self.now();
        loop {
            let due = self.store.due_timers(now, TIMER_BATCH)?;
            for (id, timer) in &due {
                self.store.clear_timer(id, *timer)?;
                if let Some(callback) = self.store.load(id)? {
                    match scenario::apply(
                        &callback,
                        Event::Timer(*timer),
                        service,
                        now,
                        Actor::System,
                    ) {
                        Ok(step) => self.record(&step)?,
                        Err(e) => worker::console_warn!("timer {} of {id}: {e}", timer.as_str()),
                    }
                }
            }
            if due.len() < TIMER_BATCH as usize {
                return Ok(());
            }
        }
    }

    /// After a request: the alarm must not be later than the earliest timer. Known in memory, it
    /// only moves earlier (a cleared timer may leave it early: the alarm then finds nothing due and
    /// sets itself again); unknown (a fresh object), it is read.
    pub(super) async fn alarm_no_later(&self) -> ApiResult<()> {
        let earliest = self.store.take_earliest_set();
        match (self.alarm.get(), earliest) {
            (None, _) => self.sync_alarm().await,
            (Some(current), Some(new)) if new < current => self.set_alarm_at(new).await,
            _ => Ok(()),
        }
    }

    /// When this service's data goes, its configuration deleted: `DELETED_SERVICE_GRACE_DAYS`
    /// (default 7) after the deletion, in case it was a mistake and the service comes back.
    fn forget_at(&self) -> ApiResult<Option<i64>> {
        let grace_days = self
            .env
            .var("DELETED_SERVICE_GRACE_DAYS")
            .ok()
            .and_then(|v| v.to_string().trim().parse::<i64>().ok())
            .unwrap_or(7)
            .clamp(0, 3650);
        Ok(self
            .store
            .unconfigured_since()?
            .map(|since| since.saturating_add(grace_days.saturating_mul(DAY_MS))))
    }

    /// The alarm of an object whose service is not configured: once the grace period is over,
    /// everything it stored goes; before, the alarm waits for it.
    async fn forget_if_deleted(&self) -> ApiResult<()> {
        match self.forget_at()? {
            Some(at) if at <= self.now().timestamp_millis() => {
                let storage = self.state.storage();
                storage.delete_alarm().await?;
                storage.delete_all().await?;
                worker::console_log!("a deleted service's data was erased after its grace period");
                self.migrated.set(false);
                *self.view.borrow_mut() = None;
                self.alarm.set(None);
                self.skew.set(0);
                self.rates.clear();
                self.answers.borrow_mut().clear();
                Ok(())
            }
            Some(at) => self.set_alarm_at(at).await,
            // Configured but unusable: timers wait, and the alarm rests until the next push.
            None => Ok(()),
        }
    }

    /// Sets the object's one alarm to the earliest timer (or the end of a deleted service's grace).
    pub(super) async fn sync_alarm(&self) -> ApiResult<()> {
        self.store.take_earliest_set();
        let next = [
            self.store.next_due()?.map(|t| t.timestamp_millis()),
            self.forget_at()?,
        ]
        .into_iter()
        .flatten()
        .min();
        if next == self.alarm.get() {
            return Ok(());
        }
        match next {
            Some(ms) => self.set_alarm_at(ms).await,
            None => {
                self.state.storage().delete_alarm().await?;
                self.alarm.set(None);
                Ok(())
            }
        }
    }

    /// Sets the object's one alarm at `ms` of the services' clock.
    async fn set_alarm_at(&self, ms: i64) -> ApiResult<()> {
        let at = DateTime::from_timestamp_millis(ms)
            .ok_or_else(|| ApiError::Internal(format!("no alarm at {ms} ms")))?;
        self.state.storage().set_alarm(self.on_platform(at)).await?;
        self.alarm.set(Some(ms));
        Ok(())
    }
}
