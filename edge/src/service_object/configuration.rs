//! The configuration as the configuration object pushes it, and this service's part of it.

use super::ServiceObject;
use crate::error::{ApiError, ApiResult};
use crate::internal::ConfigPush;
use callback_shared::config::{CallbackService, Config, ServiceKind};
use callback_shared::record::State;
use callback_shared::scenario::{self, Actor, Event};
use std::cell::OnceCell;
use std::rc::Rc;

/// The configuration, and this service resolved from it once per version.
pub struct View {
    pub version: i64,
    pub name: String,
    pub config: Config,
    callback: OnceCell<Result<Rc<CallbackService>, String>>,
}

impl View {
    /// This service, when it is a usable callback service.
    pub fn callback(&self) -> ApiResult<Rc<CallbackService>> {
        if self.config.kind(&self.name) != Some(ServiceKind::Callback) {
            return Err(ApiError::UnknownService(self.name.clone()));
        }
        let resolved = self.callback.get_or_init(|| {
            self.config
                .callback_service(&self.name)
                .map(Rc::new)
                .map_err(|e| e.to_string())
        });
        resolved.clone().map_err(|e| {
            ApiError::ServiceUnavailable(format!("Service {} is misconfigured: {e}", self.name))
        })
    }
}

impl ServiceObject {
    /// The configuration last pushed; `name` is the service asked for, named in the error when
    /// there is none.
    pub(super) fn view(&self, name: &str) -> ApiResult<Rc<View>> {
        if let Some(view) = self.view.borrow().as_ref() {
            return Ok(view.clone());
        }
        let row = self
            .store
            .config()?
            .ok_or_else(|| ApiError::UnknownService(name.to_string()))?;
        let sections = serde_json::from_str(&row.sections)
            .map_err(|e| ApiError::Internal(format!("stored configuration unreadable: {e}")))?;
        let view = Rc::new(View {
            version: row.version,
            name: row.service,
            config: Config::from_sections(sections),
            callback: OnceCell::new(),
        });
        let service = view.callback().ok();
        let scenario = service.as_ref().map(|s| &s.scenario);
        self.store
            .set_dialer(scenario.is_some_and(|s| s.places_calls()));
        self.store
            .set_texts(scenario.is_some_and(|s| s.texts.any()));
        *self.view.borrow_mut() = Some(view.clone());
        Ok(view)
    }

    /// A push of the configuration object; answers its version. An older one than held changes
    /// nothing (pushes may arrive out of order).
    pub(super) async fn receive_config(&self, push: ConfigPush) -> ApiResult<i64> {
        let sections =
            serde_json::to_string(&push.sections).map_err(|e| ApiError::Internal(e.to_string()))?;
        let stale = self
            .view
            .borrow()
            .as_ref()
            .is_some_and(|v| v.version >= push.version);
        if !stale {
            self.store
                .save_config(&push.service, push.version, &sections)?;
            *self.view.borrow_mut() = None;
            self.apply_pause()?;
            let configured = self
                .view(&push.service)?
                .config
                .kind(&push.service)
                .is_some();
            self.store.set_configured(configured, self.now())?;
        }
        // Timers that waited for a configuration may run now; a deleted service's data waits
        // for its grace period.
        self.sync_alarm().await?;
        Ok(push.version)
    }

    /// `_paused`: waiting callbacks become PAUSED while the service is paused, and QUEUED again
    /// (in their place: order is by desired time) when it resumes.
    fn apply_pause(&self) -> ApiResult<()> {
        let Ok(service) = self.view("").and_then(|v| v.callback()) else {
            return Ok(());
        };
        let (from, event) = if service.scenario.paused {
            (State::Queued, Event::Pause)
        } else {
            (State::Paused, Event::Resume)
        };
        let now = self.now();
        for callback in self.store.in_states(&[from])? {
            // Only waiting callbacks pause; those with an agent or on a call go on.
            if let Ok(step) = scenario::apply(&callback, event.clone(), &service, now, Actor::Admin)
            {
                self.record(&step)?;
            }
        }
        Ok(())
    }
}
