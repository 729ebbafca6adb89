//! User-originated callbacks: this object as a request-access service (holding access numbers,
//! matching calls to holds) and as the callback service whose customer's call arrived.

use super::configuration::View;
use super::ServiceObject;
use crate::error::{ApiError, ApiResult};
use crate::ids::{random16, CallbackId};
use crate::internal::Hold;
use callback_shared::config::{CallbackService, Window};
use callback_shared::params::Params;
use callback_shared::record::State;
use callback_shared::scenario::{self, Actor, Event};

/// Codes that matched nothing, per access number, before its matches are refused for the rest of
/// the minute: 10,000 four-digit codes cannot be tried in a day.
const CODE_MISSES: Window = Window {
    limit: 20,
    seconds: 60,
};

impl ServiceObject {
    /// Holds an access number in this (request-access) service.
    pub(super) fn hold(&self, view: &View, params: &Params) -> ApiResult<Hold> {
        let access = view.config.request_access(&view.name)?;
        let random = random16();
        let [.., a, b, c, d] = random;
        let fresh = crate::access::Fresh {
            id: CallbackId::new(&view.name, random).text,
            data_id: CallbackId::new(&view.name, random16()).text,
            code_seed: u32::from_be_bytes([a, b, c, d]),
        };
        crate::access::request(
            self.store.sql(),
            &view.name,
            &access,
            params,
            fresh,
            self.now(),
        )
    }

    /// Finds and releases the hold of an incoming call. Guessing codes is throttled per access
    /// number: a number with too many codes that matched nothing lately is refused for a while,
    /// whoever asks.
    pub(super) fn match_call(&self, params: &Params) -> ApiResult<Params> {
        let misses = params
            .get("_access_number")
            .map(|n| format!("code-misses:{}", n.trim()));
        if let Some(key) = &misses {
            self.rates.peek(key, CODE_MISSES)?;
        }
        let matched = crate::access::matched(self.store.sql(), params, self.now());
        if let (Some(key), Err(ApiError::NotFound(_))) = (misses, &matched) {
            // Counted only; the miss itself is the answer.
            let _ = self.rates.hit(&key, CODE_MISSES);
        }
        matched
    }

    /// The customer's call for callback `id` arrived: it now waits for an agent.
    pub(super) fn arrived(&self, id: &str, service: &CallbackService) -> ApiResult<State> {
        let id = CallbackId::parse(id).ok_or_else(|| ApiError::UnknownCallback(id.to_string()))?;
        let step = scenario::apply(
            &self.load(&id)?,
            Event::CallerArrived,
            service,
            self.now(),
            Actor::System,
        )?;
        self.record(&step)?;
        Ok(step.callback.state())
    }
}
