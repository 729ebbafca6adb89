//! Delivering the outbox: notifications to `_status_notification_target`, dials to `_dialer_url`
//! (signed) or to the telephony provider, texts to the provider (`calls`), in order per callback
//! and kind. Only this module sends webhooks.

use super::ServiceObject;
use crate::error::ApiResult;
use crate::store::{DIAL, TEXT};
use crate::telephony::Provider;
use callback_shared::config::CallbackService;
use callback_shared::delivery;
use callback_shared::iso::Shift;
use chrono::{DateTime, Utc};
use worker::Request;

/// Rounds of deliveries one alarm makes at most, of [`PER_ROUND`] webhooks each.
const ROUNDS: usize = 10;
const PER_ROUND: u32 = 50;

impl ServiceObject {
    /// The secret webhooks are signed with: the service's `_webhook_secret`, else the deployment's.
    pub(super) fn webhook_secret(&self, service: &CallbackService) -> String {
        Some(service.notifications.secret.clone())
            .filter(|s| !s.is_empty())
            .or_else(|| {
                self.env
                    .secret("WEBHOOK_SECRET")
                    .map(|s| s.to_string())
                    .ok()
            })
            .unwrap_or_default()
    }

    /// Delivers due webhooks: only the first undelivered one of a callback and kind is tried,
    /// retried with backoff until a 2xx or a day (`delivery`). One delivery runs at a time: a test
    /// that moves the clock runs the alarm's work from a request, maybe beside the alarm, and the
    /// delivery already running reads the moved clock at its next round.
    pub(super) async fn deliver_webhooks(&self, service: &CallbackService) -> ApiResult<()> {
        if self.delivering.replace(true) {
            return Ok(());
        }
        let delivered = self.deliver_rounds(service).await;
        self.delivering.set(false);
        delivered
    }

    async fn deliver_rounds(&self, service: &CallbackService) -> ApiResult<()> {
        let secret = self.webhook_secret(service);
        let provider = Provider::of(&self.env, &service.scenario);
        // A receiver that failed this time is not tried again before its backoff: its other rows
        // wait as long (a silent receiver would cost its timeout for each).
        let mut failed: Vec<(String, DateTime<Utc>)> = Vec::new();
        for _round in 0..ROUNDS {
            let now = self.now();
            let due: Vec<_> = self.store.due_webhooks(now, PER_ROUND)?;
            let (waiting, due): (Vec<_>, Vec<_>) = due
                .into_iter()
                .partition(|p| failed.iter().any(|(kind, _)| *kind == p.kind));
            for pending in waiting {
                let until = failed
                    .iter()
                    .find(|(kind, _)| *kind == pending.kind)
                    .map_or(now, |(_, t)| *t);
                self.store
                    .retry_later(pending.id, pending.attempts, until)?;
            }
            if due.is_empty() {
                break;
            }
            for pending in due {
                let target = match pending.kind.as_str() {
                    DIAL => &service.scenario.dialer_url,
                    _ => &service.notifications.target,
                };
                let delivered = match (pending.kind.as_str(), &provider) {
                    (DIAL, Some(provider)) => {
                        let retried = (pending.attempts > 0)
                            .then(|| DateTime::from_timestamp_millis(pending.created_ms))
                            .flatten();
                        self.place_call(provider, service, &pending.body, retried)
                            .await?
                    }
                    (TEXT, Some(provider)) => {
                        self.send_text(provider, service, &pending.body).await?
                    }
                    // Texts turned off meanwhile.
                    (TEXT, None) => true,
                    _ => match target {
                        Some(target) => post_signed(target, &secret, &pending.body, now).await,
                        // Turned off meanwhile: nobody to tell.
                        None => true,
                    },
                };
                if delivered {
                    self.store.delivered(pending.id, now)?;
                } else if delivery::abandoned(pending.created_ms, now.timestamp_millis()) {
                    worker::console_error!(
                        "{} webhook {} abandoned after 24 h",
                        pending.kind,
                        pending.id
                    );
                    self.store.delivered(pending.id, now)?;
                } else {
                    let attempts = pending.attempts.saturating_add(1);
                    let next = now.plus(delivery::backoff(attempts));
                    self.store.retry_later(pending.id, attempts, next)?;
                    failed.push((pending.kind.clone(), next));
                }
            }
        }
        Ok(())
    }
}

/// POSTs a signed notification; answers whether the receiver took it (2xx within 10 s). Redirects
/// are not followed: a receiver that moved is a configuration to change, not a hop to take.
async fn post_signed(target: &str, secret: &str, body: &str, now: DateTime<Utc>) -> bool {
    let send = async {
        let headers = worker::Headers::new();
        headers.set("content-type", "application/json")?;
        headers.set(
            crate::signing::HEADER,
            &crate::signing::sign(secret, now.timestamp(), body),
        )?;
        let mut init = worker::RequestInit::new();
        init.with_method(worker::Method::Post)
            .with_headers(headers)
            .with_body(Some(body.into()))
            .with_redirect(worker::RequestRedirect::Manual);
        let request = Request::new_with_init(target, &init)?;
        let signal: worker::AbortSignal = web_sys::AbortSignal::timeout_with_u32(10_000).into();
        worker::Fetch::Request(request)
            .send_with_signal(&signal)
            .await
    };
    matches!(send.await, Ok(response) if (200..300).contains(&response.status_code()))
}
