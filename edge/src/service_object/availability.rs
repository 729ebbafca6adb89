//! What a service can offer: free slots (availability), and for an IVR, whether to offer a
//! callback and where a queued callback stands.

use super::ServiceObject;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::ids::CallbackId;
use callback_shared::availability::{self, Ask};
use callback_shared::config::CallbackService;
use callback_shared::create::Ledger;
use callback_shared::queue;
use callback_shared::record::State;
use callback_shared::wire::{self, OfferAnswer, QueuePosition};
use callback_shared::zone::Zone;
use worker::{Request, Response};

/// Cached availability answers at most; past it the cache starts again.
const CACHED_ANSWERS: usize = 200;

impl ServiceObject {
    /// Availability v1 or v2. Answers are cached until a booking is written or the configuration
    /// or the current bucket changes: a horizon up to one bucket old only offers less, never more.
    pub(super) fn availability(
        &self,
        req: &Request,
        service: &CallbackService,
        version: i64,
        v2: bool,
    ) -> ApiResult<Response> {
        let now = self.now();
        let key = format!(
            "{v2}|{version}|{}|{}",
            availability::bucket_of(service, now).0.timestamp(),
            req.url()?.query().unwrap_or("")
        );
        let writes = self.store.writes();
        if let Some((at, json)) = self.answers.borrow().get(&key) {
            if *at == writes {
                return http::text_response(json.clone(), "application/json; charset=utf-8", 200);
            }
        }
        let params = http::query_params(req)?;
        let ask: Ask = availability::parse_ask(&params, now)
            .map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
        let from = availability::bucket_of(service, ask.start.max(now)).0;
        let bookings = self.store.bookings(from, ask.end)?;
        let slots = availability::offer(service, now, &ask, &bookings);
        let json = if v2 {
            let zone = match params.get("timezone").filter(|z| !z.is_empty()) {
                Some(name) => Zone::parse(name)
                    .map_err(|e| ApiError::InvalidParameter(format!("timezone: {e}")))?,
                None => service.schedule.office.zone,
            };
            serde_json::to_string(&wire::availability_v2(
                service.schedule.bucket_minutes,
                zone,
                &slots,
            ))
        } else {
            serde_json::to_string(&wire::availability_v1(&slots))
        }
        .map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut answers = self.answers.borrow_mut();
        if answers.len() >= CACHED_ANSWERS {
            answers.clear();
        }
        answers.insert(key, (writes, json.clone()));
        http::text_response(json, "application/json; charset=utf-8", 200)
    }

    pub(super) fn queue_position(
        &self,
        id: &CallbackId,
        service: &CallbackService,
    ) -> ApiResult<Response> {
        let callback = self.load(id)?;
        if callback.state() != State::Queued {
            return Err(ApiError::InvalidState(format!(
                "a {} callback is not waiting in queue",
                callback.state()
            )));
        }
        let (position, total) = self.store.queue_position(&callback)?;
        let ewt = self.wait_behind(position.saturating_sub(1), service)?;
        http::json(&QueuePosition {
            position,
            total_waiting: total,
            eta: ewt,
            ewt,
        })
    }

    /// IVR Classic: offer a callback when the office is open and the wait is over the threshold.
    pub(super) fn offer(&self, service: &CallbackService) -> ApiResult<Response> {
        let waiting = self.store.queue_position_of_new()?;
        let ewt = self.wait_behind(waiting, service)?;
        let open = service.schedule.is_open_now(self.now());
        http::json(&OfferAnswer {
            ewt,
            offer: open && ewt > service.offer_ewt_threshold,
            open,
            position: waiting.saturating_add(1),
            timezone: service.schedule.office.zone.name().to_string(),
            media: service.scenario.media_type.clone(),
        })
    }

    /// The estimated wait behind `ahead` callbacks (`shared::queue`), with the agents ready now.
    pub(super) fn wait_behind(&self, ahead: u32, service: &CallbackService) -> ApiResult<u32> {
        Ok(queue::estimated_wait(
            ahead,
            service.average_handle_secs,
            self.store.ready_agents()?,
        ))
    }
}
