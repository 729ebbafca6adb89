//! The builtin services: office hours (open periods) and capacity (slots) answer GETs;
//! request-access and match-interaction answer an IVR's POSTs (see `access`).

use super::configuration::View;
use super::ServiceObject;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::ids::CallbackId;
use crate::internal::{self, ServiceAsk};
use callback_shared::builtin::{self, HoursQuery};
use callback_shared::config::ServiceKind;
use callback_shared::iso;
use callback_shared::params::{given, Params};
use callback_shared::record::State;
use callback_shared::wire::{CapacityAnswer, CapacitySlot, OfficeHoursAnswer, Period};
use callback_shared::zone::Zone;
use worker::{Request, Response};

fn invalid(e: impl std::fmt::Display) -> ApiError {
    ApiError::InvalidParameter(e.to_string())
}

impl ServiceObject {
    /// Office-hours and capacity services.
    pub(super) fn builtin(&self, req: &Request, view: &View) -> ApiResult<Response> {
        let params = http::query_params(req)?;
        match view.config.kind(&view.name) {
            Some(ServiceKind::OfficeHours) => {
                let hours = view.config.office_hours(&view.name)?;
                let periods = match builtin::hours_query(&params, self.now()).map_err(invalid)? {
                    HoursQuery::Range(start, end) => hours.open_periods(start, end),
                    HoursQuery::At(at) => hours.period_at(at).into_iter().collect(),
                };
                http::json(&OfficeHoursAnswer {
                    error: None,
                    periods: periods
                        .iter()
                        .map(|p| Period {
                            start: iso::format(p.start),
                            end: iso::format(p.end),
                        })
                        .collect(),
                })
            }
            Some(ServiceKind::Capacity) => {
                let capacity = view.config.capacity(&view.name)?;
                let own_zone = view.config.capacity_zone(&view.name)?;
                let zone = match given(&params, "timezone") {
                    Some(z) => Zone::parse(z)
                        .map_err(|e| ApiError::InvalidParameter(format!("timezone: {e}")))?,
                    None => own_zone,
                };
                let (start, end) = builtin::capacity_range(&params, zone).map_err(invalid)?;
                let slots = capacity
                    .spans(own_zone, start, end)
                    .into_iter()
                    .map(|(start, end, capacity)| CapacitySlot {
                        start: iso::format(start),
                        end: iso::format(end),
                        capacity,
                    })
                    .collect();
                http::json(&CapacityAnswer {
                    timezone: zone.name().to_string(),
                    slots,
                })
            }
            Some(
                ServiceKind::Callback | ServiceKind::RequestAccess | ServiceKind::MatchInteraction,
            )
            | None => Err(ApiError::UnknownService(view.name.clone())),
        }
    }

    /// The user-originated builtin services: request-access holds a number, match-interaction
    /// finds (in its request-access service's object) and releases the hold of a call.
    pub(super) async fn builtin_post(&self, req: &mut Request, view: &View) -> ApiResult<Response> {
        let body = internal::body(req).await?;
        let params = http::body_params(&http::content_type(req), &body)?;
        match view.config.kind(&view.name) {
            Some(ServiceKind::RequestAccess) => http::json(&self.hold(view, &params)?),
            Some(ServiceKind::MatchInteraction) => {
                let origin = http::own_origin(req)?;
                let matched: Params = internal::ask_service(
                    &self.env,
                    &view.config.holds_of(&view.name),
                    &origin,
                    &ServiceAsk::Match(params),
                )
                .await?;
                // The call of a user-originated callback arrived: it now waits for an agent.
                if let Some(id) = matched.get("_id").and_then(|id| CallbackId::parse(id)) {
                    let arrived = ServiceAsk::Arrived {
                        id: id.text.clone(),
                    };
                    // A hold made by someone else than a callback service has nothing to move on.
                    let _ =
                        internal::ask_service::<State>(&self.env, &id.service, &origin, &arrived)
                            .await;
                }
                http::json(&matched)
            }
            Some(ServiceKind::Callback | ServiceKind::OfficeHours | ServiceKind::Capacity)
            | None => Err(ApiError::UnknownService(view.name.clone())),
        }
    }
}
