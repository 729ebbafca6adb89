//! Calls to the service's own number (`_twilio_inbound`; SCENARIOS.md, "IVR Classic Callback on a
//! phone number"). Open, the caller waits in the service's queue as a callback on the line, in
//! the place of the time the call entered; while the wait is long they are offered a callback
//! every `_ivr_offer_interval` seconds, which keeps that place; their turn puts the reserved
//! agent's phone through. Closed, they may book the first free time. What the keys mean is
//! `shared::ivr`'s.
//!
//! Every webhook is verified before anything is read. Where the caller is in the menu travels in
//! the signed URL, and the callback on the line is found by the call's id: a replayed webhook asks
//! the same question again, creates nothing twice, and a choice already taken is not taken again.

use super::ServiceObject;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::ids::{random16, CallbackId};
use crate::telephony::{Incoming, Provider};
use callback_shared::availability::{self, Ask};
use callback_shared::config::CallbackService;
use callback_shared::create::{self, Ledger};
use callback_shared::ivr::{self, Menu, Next, Prompts};
use callback_shared::params::Params;
use callback_shared::phone;
use callback_shared::record::{Callback, Phase};
use callback_shared::scenario::{self, Actor, Event};
use callback_shared::telephony::{self as calls, Verb};
use callback_shared::{iso, record::State};
use chrono::{DateTime, Utc};
use worker::{Request, Response, Url};

/// Seconds a waiting caller hears nothing between two checks of their turn.
const HOLD_PAUSE: u32 = 10;

/// Where the caller is: the next webhook's URL says it, and the provider signs it.
#[derive(Default)]
struct At {
    menu: Menu,
    /// How many times the question was asked again.
    tries: u32,
    /// The number read back.
    number: Option<String>,
    /// Closed: the free time offered.
    slot: Option<DateTime<Utc>>,
    /// When the caller was last offered a callback.
    offered: Option<DateTime<Utc>>,
}

impl At {
    fn new(menu: Menu) -> At {
        At {
            menu,
            ..At::default()
        }
    }

    /// Where the webhook's URL says the caller is; none for a new call.
    fn read(req: &Request) -> ApiResult<Option<At>> {
        let query = http::query_params(req)?;
        let Some(menu) = query.get("step").and_then(|s| Menu::parse(s)) else {
            return Ok(None);
        };
        let time = |key: &str| query.get(key).and_then(|t| ivr::parse_time(t));
        Ok(Some(At {
            menu,
            tries: query
                .get("tries")
                .and_then(|t| t.parse().ok())
                .unwrap_or(0)
                .min(ivr::REPEATS),
            number: query.get("number").filter(|n| phone::is_e164(n)).cloned(),
            slot: time("at"),
            offered: time("offered"),
        }))
    }

    /// The URL of the webhook that answers here, under `base`.
    fn url(&self, base: &str) -> String {
        let Ok(mut url) = Url::parse(base) else {
            return base.to_string();
        };
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("step", self.menu.as_str());
            query.append_pair("tries", &self.tries.to_string());
            if let Some(number) = &self.number {
                query.append_pair("number", number);
            }
            if let Some(slot) = self.slot {
                query.append_pair("at", &slot.timestamp().to_string());
            }
            if let Some(offered) = self.offered {
                query.append_pair("offered", &offered.timestamp().to_string());
            }
        }
        url.to_string()
    }
}

/// One call's webhook, read and verified, with what it needs to answer.
struct Call<'a> {
    provider: Provider,
    service: &'a CallbackService,
    incoming: Incoming,
    words: Prompts,
    now: DateTime<Utc>,
}

impl Call<'_> {
    fn say(&self, text: &str) -> Verb {
        Verb::Say {
            language: self.words.language,
            text: text.to_string(),
        }
    }
}

impl ServiceObject {
    /// The number's voice webhook and the menu's answers (`ended`: its status callback).
    pub(super) async fn incoming(
        &self,
        req: &mut Request,
        service: &CallbackService,
        ended: bool,
    ) -> ApiResult<Response> {
        let (provider, params) = self.verified(req, service).await?;
        if provider.inbound().is_none() {
            return Err(ApiError::NotFound(format!(
                "service {} does not answer calls to its number (_twilio_inbound)",
                service.name
            )));
        }
        let incoming = provider.incoming(&params);
        if incoming.call.is_empty() {
            return Err(ApiError::InvalidParameter("CallSid: missing".into()));
        }
        let call = Call {
            words: ivr::prompts(provider.language()),
            provider,
            service,
            incoming,
            now: self.now(),
        };
        if ended {
            self.caller_gone(&call)?;
            return call.provider.respond(&[]);
        }
        let verbs = match At::read(req)? {
            None => self.answer(&call).await?,
            Some(at) => self.keys(&call, &at).await?,
        };
        call.provider.respond(&verbs)
    }

    /// A new call: into the queue when open, else the first free time.
    async fn answer(&self, call: &Call<'_>) -> ApiResult<Vec<Verb>> {
        if !call.service.schedule.is_open_now(call.now) {
            return self.closed(call, Vec::new());
        }
        // The provider may ask twice for one call: the second finds the first's callback.
        let callback = match self.store.of_call(&call.incoming.call)? {
            Some(callback) => callback,
            None => {
                let id = CallbackId::new(&call.service.name, random16());
                let number = ivr::caller_number(&call.incoming.from).unwrap_or_default();
                let new = create::caller_on_the_line(
                    call.service,
                    id.text,
                    &number,
                    &call.incoming.call,
                    call.now,
                );
                let step = scenario::create(new, call.service, call.now, Actor::Customer);
                self.record(&step)?;
                step.callback
            }
        };
        self.waiting(call, Some(callback), None).await
    }

    /// The keys pressed where the caller is (none: the question went unanswered).
    async fn keys(&self, call: &Call<'_>, at: &At) -> ApiResult<Vec<Verb>> {
        let open = at.slot.is_none();
        let of_call = || self.store.of_call(&call.incoming.call);
        if at.menu == Menu::Wait {
            return self.waiting(call, of_call()?, at.offered).await;
        }
        let caller = ivr::caller_number(&call.incoming.from);
        let next = ivr::choose(
            at.menu,
            &call.incoming.digits,
            at.tries,
            caller.as_deref(),
            at.number.as_deref(),
            &call.service.phone,
            open,
        );
        Ok(match next {
            Next::Wait => self.waiting(call, of_call()?, Some(call.now)).await?,
            Next::Again(menu, tries) => {
                let mut verbs = vec![call.say(call.words.not_understood)];
                verbs.extend(self.ask(
                    call,
                    &At {
                        menu,
                        tries,
                        number: at.number.clone(),
                        slot: at.slot,
                        offered: None,
                    },
                ));
                verbs
            }
            Next::ReadBack(number) => self.ask(
                call,
                &At {
                    number: Some(number),
                    slot: at.slot,
                    ..At::new(Menu::ReadBack)
                },
            ),
            Next::AskNumber => self.ask(
                call,
                &At {
                    slot: at.slot,
                    ..At::new(Menu::Number)
                },
            ),
            Next::Book(number) => match at.slot {
                Some(slot) => self.book_at(call, &number, slot)?,
                None => self.book_in_queue(call, number).await?,
            },
            Next::Goodbye => vec![Verb::Hangup],
        })
    }

    /// A waiting caller (`callback`: the one of their call): put through when their agent is
    /// reserved, offered a callback when the wait is long and the last offer is
    /// `_ivr_offer_interval` old, else on hold a while.
    async fn waiting(
        &self,
        call: &Call<'_>,
        callback: Option<Callback>,
        offered: Option<DateTime<Utc>>,
    ) -> ApiResult<Vec<Verb>> {
        let Some(callback) = callback else {
            return Ok(vec![call.say(call.words.sorry), Verb::Hangup]);
        };
        if !callback.on_the_line() {
            // They chose a callback already (this is a replayed webhook).
            return Ok(vec![call.say(call.words.booked_in_queue), Verb::Hangup]);
        }
        if let Phase::Connected { .. } = callback.phase {
            return self.to_agent(call, &callback).await;
        }
        let interval = call.provider.inbound().unwrap_or(0);
        let due = offered
            .is_none_or(|o| call.now.signed_duration_since(o).num_seconds() >= i64::from(interval));
        let (position, _) = self.store.queue_position(&callback)?;
        let ewt = self.wait_behind(position.saturating_sub(1), call.service)?;
        if due && callback.state() == State::Queued && ewt > call.service.offer_ewt_threshold {
            let mut verbs = vec![call.say(&call.words.wait(ewt))];
            verbs.extend(self.ask(call, &At::new(Menu::Offer)));
            return Ok(verbs);
        }
        let words = calls::words(call.provider.language());
        let wait = self.menu_url(
            call,
            &At {
                offered,
                ..At::new(Menu::Wait)
            },
        );
        Ok(vec![
            call.say(words.hold),
            Verb::Pause(HOLD_PAUSE),
            Verb::Redirect(wait),
        ])
    }

    /// The caller to their agent's phone (`calls`); sorry when the agent has none.
    async fn to_agent(&self, call: &Call<'_>, callback: &Callback) -> ApiResult<Vec<Verb>> {
        let verbs = self
            .put_through(&call.provider, callback, call.service)
            .await?;
        Ok(verbs.unwrap_or_else(|| vec![call.say(call.words.sorry), Verb::Hangup]))
    }

    /// Asks the question of where the caller is; no key brings them back to it, as a wrong one
    /// does.
    fn ask(&self, call: &Call, at: &At) -> Vec<Verb> {
        let words = &call.words;
        let zone = call.service.schedule.zone;
        let number = at.number.as_deref().unwrap_or("");
        let (text, digits) = match (at.menu, at.slot) {
            (Menu::Offer, _) => (words.offer.to_string(), Some(1)),
            (Menu::Closed, Some(slot)) => (words.closed(zone.to_local(slot)), Some(1)),
            (Menu::ReadBack, _) => (words.read_back(number), Some(1)),
            (Menu::Number, _) => (words.ask_number.to_string(), None),
            (Menu::Wait | Menu::Closed, _) => {
                return vec![Verb::Redirect(self.menu_url(call, &At::new(Menu::Wait)))];
            }
        };
        let action = self.menu_url(call, at);
        vec![
            Verb::Gather {
                action: action.clone(),
                digits,
                language: words.language,
                text,
            },
            Verb::Redirect(action),
        ]
    }

    /// Closed: the first free time, to book with 1; none, and the caller is told to call again.
    fn closed(&self, call: &Call, mut verbs: Vec<Verb>) -> ApiResult<Vec<Verb>> {
        let service = call.service;
        let now = call.now;
        let ask = Ask {
            start: now,
            end: service.schedule.horizon.limit(now),
            max_slots: Some(1),
            report_busy: false,
        };
        let bookings = self.store.bookings(now, ask.end)?;
        match availability::offer(service, now, &ask, &bookings).first() {
            Some(slot) => verbs.extend(self.ask(
                call,
                &At {
                    slot: Some(slot.start),
                    ..At::new(Menu::Closed)
                },
            )),
            None => verbs.extend([call.say(call.words.closed_full), Verb::Hangup]),
        }
        Ok(verbs)
    }

    /// Closed: books the time read to the caller, as any client would; taken meanwhile, the next
    /// free one is offered.
    fn book_at(&self, call: &Call, number: &str, slot: DateTime<Utc>) -> ApiResult<Vec<Verb>> {
        let service = call.service;
        let params = Params::from([
            ("_customer_number".to_string(), number.to_string()),
            ("_desired_time".to_string(), iso::format(slot)),
        ]);
        let booked = create::plan(service, &params, call.now)
            .map_err(ApiError::from)
            .and_then(|plan| {
                let id = CallbackId::new(&service.name, random16());
                self.decide_and_record("", &params, &plan, None, &id, service, Caller::Server, None)
            });
        match booked {
            Ok(_) => {
                let when = call.words.booked_at(service.schedule.zone.to_local(slot));
                Ok(vec![call.say(&when), Verb::Hangup])
            }
            // The time was taken meanwhile, or a limit holds.
            Err(ApiError::Unavailable { .. } | ApiError::ServiceUnavailable(_)) => {
                self.closed(call, vec![call.say(call.words.taken)])
            }
            Err(e) => Err(e),
        }
    }

    /// Open: the caller leaves the line with a callback to `number`, in their place. Chosen
    /// already (a replayed webhook), they hear the same; their agent reserved meanwhile, they are
    /// put through instead.
    async fn book_in_queue(&self, call: &Call<'_>, number: String) -> ApiResult<Vec<Verb>> {
        let booked = || vec![call.say(call.words.booked_in_queue), Verb::Hangup];
        let Some(callback) = self.store.of_call(&call.incoming.call)? else {
            return Ok(vec![call.say(call.words.sorry), Verb::Hangup]);
        };
        if !callback.on_the_line() {
            return Ok(booked());
        }
        if let Phase::Connected { .. } = callback.phase {
            return self.to_agent(call, &callback).await;
        }
        let chosen = Event::CallbackChosen { number };
        let step = scenario::apply(&callback, chosen, call.service, call.now, Actor::Customer)?;
        self.record(&step)?;
        Ok(booked())
    }

    /// The call ended: a caller still waiting on the line leaves no callback (ABANDONED).
    fn caller_gone(&self, call: &Call) -> ApiResult<()> {
        let over = call
            .incoming
            .status
            .is_some_and(|s| s == calls::CallStatus::Completed || s.unreached().is_some());
        if !over {
            return Ok(());
        }
        if let Some(callback) = self.store.of_call(&call.incoming.call)? {
            if let Ok(step) = scenario::apply(
                &callback,
                Event::CallerHungUp,
                call.service,
                call.now,
                Actor::Customer,
            ) {
                self.record(&step)?;
            }
        }
        Ok(())
    }

    /// The URL of the webhook that answers where the caller is.
    fn menu_url(&self, call: &Call, at: &At) -> String {
        at.url(&format!(
            "{}{}/{}/incoming",
            self.store.origin(),
            call.provider.webhooks(),
            call.service.name
        ))
    }
}
