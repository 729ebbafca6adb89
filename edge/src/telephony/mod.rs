//! Calls and texts through a telephony provider, behind one small interface: place a call, send
//! a text, check that a webhook comes from the provider, read what it reports (a call's progress,
//! a text received), and answer it with what the call does next. The service's object (`service_object::calls`) decides; a provider only speaks its own
//! API. A second provider is one more module here and one more variant of [`Provider`].

mod twilio;

use crate::error::ApiResult;
use callback_shared::config::ScenarioOptions;
use callback_shared::scenario::DialOutcome;
use callback_shared::telephony::{CallStatus, Verb};
use chrono::{DateTime, Utc};
use worker::{Env, Response};

/// A call to place.
pub struct Call {
    /// E.164.
    pub to: String,
    /// Where the provider asks what the call does once answered.
    pub answer_url: String,
    /// Where the provider reports the call's progress.
    pub status_url: String,
    /// Whether an answering machine must be told from a person (customer calls).
    pub detect_machine: bool,
}

/// What became of a call to place.
#[derive(Debug, PartialEq, Eq)]
pub enum Placed {
    /// The provider took the call.
    Done,
    /// The provider will never place it (an invalid number, say): the dial's outcome.
    Refused(DialOutcome),
    /// Not now (an outage, a limit, credentials to fix): the outbox tries again later.
    Later,
}

/// What became of a text to send.
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    /// The provider took the text.
    Done,
    /// The number opted out of texts with the provider (it replied STOP).
    OptedOut,
    /// The provider will never send it (not a mobile number, say).
    Failed,
    /// Not now: the outbox tries again later.
    Later,
}

/// What one of the provider's webhooks reports.
pub struct Report {
    pub status: Option<CallStatus>,
    /// An answering machine (or fax) took the call.
    pub machine: bool,
    /// The call lasted: someone talked.
    pub talked: bool,
}

/// A call to the service's own number, as one of its webhooks reports it.
pub struct Incoming {
    /// The provider's id of the call.
    pub call: String,
    /// The caller's number as shown (a withheld one is no number).
    pub from: String,
    /// The keys pressed for the menu's last question.
    pub digits: String,
    pub status: Option<CallStatus>,
}

/// The service's provider, with the deployment's credentials.
pub enum Provider {
    Twilio(twilio::Twilio),
}

impl Provider {
    /// The provider of a service's options, if it has one.
    pub fn of(env: &Env, scenario: &ScenarioOptions) -> Option<Provider> {
        scenario
            .twilio
            .as_ref()
            .map(|options| Provider::Twilio(twilio::Twilio::new(env, options)))
    }

    /// The path under which its webhooks arrive (see `routes`).
    pub fn webhooks(&self) -> &'static str {
        match self {
            Provider::Twilio(_) => "/genesys/1/telephony/twilio",
        }
    }

    pub async fn place(&self, call: &Call) -> Placed {
        match self {
            Provider::Twilio(t) => t.place(call).await,
        }
    }

    /// Whether a call to `to` was placed since `since` (None: the provider cannot tell now).
    pub async fn placed_since(&self, to: &str, since: DateTime<Utc>) -> Option<bool> {
        match self {
            Provider::Twilio(t) => t.placed_since(to, since).await,
        }
    }

    pub async fn send_text(&self, to: &str, body: &str) -> Sent {
        match self {
            Provider::Twilio(t) => t.send_text(to, body).await,
        }
    }

    /// A text received: who sent it and what it says.
    pub fn text_received(&self, params: &[(String, String)]) -> Option<(String, String)> {
        match self {
            Provider::Twilio(_) => twilio::text_received(params),
        }
    }

    /// Whether a webhook to `url` with these form `params` comes from the provider.
    pub fn verify(&self, url: &str, signature: Option<&str>, params: &[(String, String)]) -> bool {
        match self {
            Provider::Twilio(t) => t.verify(url, signature, params),
        }
    }

    pub fn incoming(&self, params: &[(String, String)]) -> Incoming {
        match self {
            Provider::Twilio(_) => twilio::incoming(params),
        }
    }

    /// Whether the service answers calls to its own number, and how often a waiting caller is
    /// offered a callback.
    pub fn inbound(&self) -> Option<u32> {
        match self {
            Provider::Twilio(t) => t.options.inbound.then_some(t.options.offer_interval),
        }
    }

    pub fn report(&self, params: &[(String, String)]) -> Report {
        match self {
            Provider::Twilio(t) => t.report(params),
        }
    }

    /// The answer to a webhook: what the call does next.
    pub fn respond(&self, verbs: &[Verb]) -> ApiResult<Response> {
        match self {
            Provider::Twilio(_) => twilio::respond(verbs),
        }
    }

    /// The header that carries a webhook's signature.
    pub fn signature_header(&self) -> &'static str {
        match self {
            Provider::Twilio(_) => twilio::SIGNATURE,
        }
    }

    pub fn caller_id(&self) -> &str {
        match self {
            Provider::Twilio(t) => &t.options.caller_id,
        }
    }

    pub fn ring_timeout(&self) -> u32 {
        match self {
            Provider::Twilio(t) => t.options.ring_timeout,
        }
    }

    pub fn language(&self) -> &str {
        match self {
            Provider::Twilio(t) => &t.options.language,
        }
    }
}
