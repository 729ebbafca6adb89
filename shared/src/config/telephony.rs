//! The telephony provider's options **[ext]**: Twilio places the calls and sends the texts.

use super::catalogue as c;
use super::reader::Reader;
use super::ConfigError;

/// Which texts (SMS) the customer gets **[ext]**; none by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Texts {
    /// `_sms_confirmation`: when the callback is booked, with its time and the manage link.
    pub confirmation: bool,
    /// `_sms_reminder`: seconds before a scheduled callback's time (0: no reminder).
    pub reminder_secs: u32,
    /// `_sms_calling`: when the first call to the customer starts.
    pub calling: bool,
}

impl Texts {
    pub fn any(&self) -> bool {
        self.confirmation || self.reminder_secs > 0 || self.calling
    }
}

/// The Twilio voice connector's options **[ext]**. Its auth token is the deployment's secret
/// `TWILIO_AUTH_TOKEN`, never an option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Twilio {
    /// `_twilio_account_sid`: `AC` and 32 hexadecimal digits.
    pub account_sid: String,
    /// `_twilio_caller_id`: the E.164 number the customer sees (a number of the account).
    pub caller_id: String,
    /// `_twilio_ring_timeout`: seconds a phone rings before the dial counts as not answered.
    pub ring_timeout: u32,
    /// `_twilio_machine_detection`: an answering machine counts as ANSWERING_MACHINE.
    pub machine_detection: bool,
    /// `_telephony_language`: what callers hear and texts say (en, fr, de, es).
    pub language: String,
    /// `_twilio_sms_from`: the E.164 number texts come from (default: the caller id).
    pub sms_from: String,
    /// `_twilio_inbound`: the service answers calls to its number (SCENARIOS.md, "IVR Classic
    /// Callback on a phone number").
    pub inbound: bool,
    /// `_ivr_offer_interval`: seconds between two offers to a waiting caller.
    pub offer_interval: u32,
}

impl Twilio {
    pub(super) fn read(r: &Reader) -> Result<Twilio, ConfigError> {
        let account_sid = r.text(&c::TWILIO_ACCOUNT_SID);
        let hex = account_sid.strip_prefix("AC").unwrap_or("");
        if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ConfigError::new(
                c::TWILIO_ACCOUNT_SID.name,
                "your Twilio account's SID: AC and 32 hexadecimal digits",
            ));
        }
        let caller_id = r.text(&c::TWILIO_CALLER_ID);
        if !crate::phone::is_e164(&caller_id) {
            return Err(ConfigError::new(
                c::TWILIO_CALLER_ID.name,
                "a number of your Twilio account in E.164 (+15005550006)",
            ));
        }
        let sms_from = Some(r.text(&c::TWILIO_SMS_FROM))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| caller_id.clone());
        if !crate::phone::is_e164(&sms_from) {
            return Err(ConfigError::new(
                c::TWILIO_SMS_FROM.name,
                "a number of your Twilio account that sends texts, in E.164",
            ));
        }
        Ok(Twilio {
            account_sid,
            caller_id,
            sms_from,
            ring_timeout: r.number(&c::TWILIO_RING_TIMEOUT)?,
            machine_detection: r.bool(&c::TWILIO_MACHINE_DETECTION)?,
            language: r.text(&c::TELEPHONY_LANGUAGE),
            inbound: r.bool(&c::TWILIO_INBOUND)?,
            offer_interval: r.number(&c::IVR_OFFER_INTERVAL)?,
        })
    }
}

impl Texts {
    pub(super) fn read(r: &Reader) -> Result<Texts, ConfigError> {
        Ok(Texts {
            confirmation: r.bool(&c::SMS_CONFIRMATION)?,
            reminder_secs: r.number(&c::SMS_REMINDER)?,
            calling: r.bool(&c::SMS_CALLING)?,
        })
    }
}
