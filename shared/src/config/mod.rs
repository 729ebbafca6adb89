//! GMS configuration: named sections of string options, validated into typed services.
//!
//! Sections: `callback` (global defaults), `capacity` (`_max_capacity`), and `service.<name>` whose
//! `_service` option says what it is (its template): `callback`, `office-hours`, `capacity`,
//! `request-access` or `match-interaction`. This module is the store: a section is validated against
//! the others when it is put, and a section others use cannot be removed or broken. What each option
//! means, its default and its values are in [`catalogue`]; [`reader`] applies the precedence.

mod access;
mod callback;
pub mod catalogue;
pub mod presets;
mod reader;
mod telephony;
mod webhooks;

pub use access::RequestAccess;
pub use callback::{
    media_type, CallbackService, Direction, FirstParty, Horizon, InQueueCheck, Limits,
    ScenarioOptions, Schedule, Window,
};
pub use telephony::{Texts, Twilio};
pub use webhooks::{Notifications, NOTIFICATION_EVENTS};

use crate::capacity::Capacity;
use crate::office_hours::OfficeHours;
use crate::zone::Zone;
use catalogue as c;
use reader::Reader;
use std::collections::BTreeMap;

pub type Options = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("option `{option}`: {message}")]
pub struct ConfigError {
    pub option: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(option: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            option: option.to_string(),
            message: message.into(),
        }
    }
}

/// What a `service.<name>` section is: the console's Templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceKind {
    Callback,
    OfficeHours,
    Capacity,
    RequestAccess,
    MatchInteraction,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 5] = [
        ServiceKind::Callback,
        ServiceKind::OfficeHours,
        ServiceKind::Capacity,
        ServiceKind::RequestAccess,
        ServiceKind::MatchInteraction,
    ];

    /// Its `_service` value.
    pub fn name(self) -> &'static str {
        match self {
            ServiceKind::Callback => "callback",
            ServiceKind::OfficeHours => "office-hours",
            ServiceKind::Capacity => "capacity",
            ServiceKind::RequestAccess => "request-access",
            ServiceKind::MatchInteraction => "match-interaction",
        }
    }

    pub fn of(options: &Options) -> Result<ServiceKind, ConfigError> {
        let service = options.get("_service").map(|s| s.trim()).unwrap_or("");
        Ok(match service {
            "callback" => ServiceKind::Callback,
            "office-hours" => ServiceKind::OfficeHours,
            "capacity" => ServiceKind::Capacity,
            "request-access" | "request-interaction" => ServiceKind::RequestAccess,
            "match-interaction" => ServiceKind::MatchInteraction,
            // An ors service whose SCXML is a callback application.
            _ if options.get("_service_type").is_some_and(|t| t == "callback") => ServiceKind::Callback,
            "" => return Err(ConfigError::new("_service", "missing: say callback, office-hours, capacity, request-access or match-interaction")),
            other => return Err(ConfigError::new("_service", format!("unknown service kind `{other}`"))),
        })
    }
}

pub const GLOBAL: &str = "callback";
pub const CAPACITY_GLOBAL: &str = "capacity";
const SERVICE_PREFIX: &str = "service.";

/// Every section, by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    sections: BTreeMap<String, Options>,
}

impl Config {
    pub fn new() -> Config {
        Config::default()
    }

    /// Sections validated when they were written (a stored copy); nothing is checked again.
    pub fn from_sections(sections: BTreeMap<String, Options>) -> Config {
        Config { sections }
    }

    pub fn sections(&self) -> &BTreeMap<String, Options> {
        &self.sections
    }

    pub fn section(&self, name: &str) -> Option<&Options> {
        self.sections.get(name)
    }

    /// Validates a section against the rest and stores it (replacing any previous one).
    pub fn put(&mut self, name: &str, options: Options) -> Result<(), ConfigError> {
        let mut next = self.clone();
        next.sections.insert(name.to_string(), options);
        next.validate_section(name)?;
        // Services that use this one must still be valid with it.
        for dependant in next.service_names() {
            if dependant != service_name(name).unwrap_or_default()
                && next.kind(&dependant) == Some(ServiceKind::Callback)
            {
                let uses = |opt: &str| {
                    next.service_option(&dependant, opt)
                        .is_some_and(|s| Some(s) == service_name(name))
                };
                if uses("_business_hours_service")
                    || uses("_capacity_service")
                    || name == GLOBAL
                    || name == CAPACITY_GLOBAL
                {
                    next.callback_service(&dependant)?;
                }
            }
        }
        *self = next;
        Ok(())
    }

    /// Removes a section; refused while a callback service uses it. Answers whether it existed.
    pub fn delete(&mut self, name: &str) -> Result<bool, ConfigError> {
        if let Some(service) = service_name(name) {
            for user in self.service_names() {
                for opt in ["_business_hours_service", "_capacity_service"] {
                    if self.service_option(&user, opt) == Some(service) {
                        return Err(ConfigError::new(
                            opt,
                            format!("service `{user}` still uses `{service}`"),
                        ));
                    }
                }
            }
        }
        Ok(self.sections.remove(name).is_some())
    }

    /// Names of every `service.<name>` section.
    pub fn service_names(&self) -> Vec<String> {
        self.sections
            .keys()
            .filter_map(|k| service_name(k))
            .map(str::to_string)
            .collect()
    }

    pub fn kind(&self, service: &str) -> Option<ServiceKind> {
        ServiceKind::of(self.sections.get(&format!("{SERVICE_PREFIX}{service}"))?).ok()
    }

    fn service_option(&self, service: &str, option: &str) -> Option<&str> {
        self.sections
            .get(&format!("{SERVICE_PREFIX}{service}"))?
            .get(option)
            .map(|s| s.trim())
    }

    pub(crate) fn validate_section(&self, name: &str) -> Result<(), ConfigError> {
        let options = self
            .sections
            .get(name)
            .ok_or_else(|| ConfigError::new("section", "missing"))?;
        match name {
            GLOBAL => {
                let global = Reader {
                    service: &Options::new(),
                    global: options,
                };
                Limits::read(&global).map(|_| ())
            }
            CAPACITY_GLOBAL => max_capacity(options).map(|_| ()),
            _ => {
                let service = service_name(name).filter(|s| valid_service_name(s)).ok_or_else(|| {
                    ConfigError::new("section", format!("`{name}`: use `callback`, `capacity` or `service.<name>` (letters, digits, `-`, `_`, `.`)"))
                })?;
                match ServiceKind::of(options)? {
                    ServiceKind::Callback => self.callback_service(service).map(|_| ()),
                    ServiceKind::OfficeHours => self.office_hours(service).map(|_| ()),
                    ServiceKind::Capacity => self.capacity(service).map(|_| ()),
                    ServiceKind::RequestAccess => self.request_access(service).map(|_| ()),
                    ServiceKind::MatchInteraction => Ok(()),
                }
            }
        }
    }

    fn service_section(
        &self,
        service: &str,
        kind: ServiceKind,
        option: &str,
    ) -> Result<&Options, ConfigError> {
        let section = self.sections.get(&format!("{SERVICE_PREFIX}{service}"));
        match section.map(ServiceKind::of) {
            Some(Ok(k)) if k == kind => section.ok_or_else(|| ConfigError::new(option, "missing")),
            _ => Err(ConfigError::new(
                option,
                format!("no {kind:?} service named `{service}`"),
            )),
        }
    }

    pub fn office_hours(&self, service: &str) -> Result<OfficeHours, ConfigError> {
        let options =
            self.service_section(service, ServiceKind::OfficeHours, "_business_hours_service")?;
        let zone = zone_option(options)?;
        OfficeHours::from_options(zone, options)
            .map_err(|(option, e)| ConfigError::new(&option, e.to_string()))
    }

    pub fn capacity(&self, service: &str) -> Result<Capacity, ConfigError> {
        let options = self.service_section(service, ServiceKind::Capacity, "_capacity_service")?;
        let max = max_capacity(
            self.sections
                .get(CAPACITY_GLOBAL)
                .unwrap_or(&Options::new()),
        )?;
        let mut capacity = Capacity {
            max,
            ..Capacity::default()
        };
        for (day, rule) in (1..).zip(capacity.weekdays.iter_mut()) {
            let option = format!("_capacity_{day}");
            if let Some(text) = options.get(&option) {
                *rule = Capacity::parse_weekday(day, text)
                    .map_err(|e| ConfigError::new(&option, e.to_string()))?;
            }
        }
        if let Some(text) = options.get("_capacity_add") {
            capacity.dates = Capacity::parse_dates(text)
                .map_err(|e| ConfigError::new("_capacity_add", e.to_string()))?;
        }
        Ok(capacity)
    }

    /// The zone of a capacity service (its `_timezone`).
    pub fn capacity_zone(&self, service: &str) -> Result<Zone, ConfigError> {
        zone_option(self.service_section(service, ServiceKind::Capacity, "_capacity_service")?)
    }

    /// A callback service, fully resolved.
    pub fn callback_service(&self, service: &str) -> Result<CallbackService, ConfigError> {
        self.service_section(service, ServiceKind::Callback, "_service")?;
        let reader = self
            .reader(service)
            .ok_or_else(|| ConfigError::new("_service", "missing"))?;
        CallbackService::read(service, self, &reader)
    }

    /// A callback service's options with the global defaults beneath them.
    fn reader(&self, service: &str) -> Option<Reader<'_>> {
        static EMPTY: Options = Options::new();
        Some(Reader {
            service: self.sections.get(&format!("{SERVICE_PREFIX}{service}"))?,
            global: self.sections.get(GLOBAL).unwrap_or(&EMPTY),
        })
    }
}

fn service_name(section: &str) -> Option<&str> {
    section.strip_prefix(SERVICE_PREFIX)
}

pub fn valid_service_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn zone_option(options: &Options) -> Result<Zone, ConfigError> {
    Zone::parse(&Reader::alone(options).text(&c::TIMEZONE))
        .map_err(|e| ConfigError::new(c::TIMEZONE.name, e.to_string()))
}

fn max_capacity(options: &Options) -> Result<u32, ConfigError> {
    Reader::alone(options).number(&c::MAX_CAPACITY)
}

#[cfg(test)]
mod tests;
