//! The builtin services of user-originated callbacks: request-access gives the caller a number to
//! call (and a code); match-interaction finds the callback of a call in a request-access service.

use super::catalogue as c;
use super::reader::Reader;
use super::{Config, ConfigError, ServiceKind};
use crate::params;

/// A request-access service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestAccess {
    pub numbers: Vec<String>,
    pub provide_code: bool,
    pub ttl_secs: u32,
}

impl Config {
    /// A request-access service's numbers and options.
    pub fn request_access(&self, service: &str) -> Result<RequestAccess, ConfigError> {
        let options = self.service_section(
            service,
            ServiceKind::RequestAccess,
            c::REQUEST_ACCESS_SERVICE.name,
        )?;
        let r = Reader::alone(options);
        let numbers = params::list(&r.text(&c::ACCESS_NUMBERS));
        if let Some(bad) = numbers.iter().find(|n| !crate::phone::is_e164(n)) {
            return Err(ConfigError::new(
                c::ACCESS_NUMBERS.name,
                format!("`{bad}` is not an E.164 number such as +18005550100"),
            ));
        }
        Ok(RequestAccess {
            numbers,
            provide_code: r.bool(&c::PROVIDE_CODE)?,
            ttl_secs: r.number(&c::ACCESS_TTL)?,
        })
    }

    /// The request-access service a match-interaction service looks in
    /// (`_request_access_service` **[ext]**, default `request-access`).
    pub fn holds_of(&self, match_service: &str) -> String {
        self.sections
            .get(&format!("{}{match_service}", super::SERVICE_PREFIX))
            .map(|options| Reader::alone(options).text(&c::REQUEST_ACCESS_SERVICE))
            .unwrap_or_else(|| c::REQUEST_ACCESS_SERVICE.default_text())
    }
}
