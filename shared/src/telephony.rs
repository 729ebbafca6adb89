//! Calls placed by a telephony provider (Twilio Programmable Voice): what its call statuses mean
//! as dial outcomes, the TwiML that connects the customer and the agent, the words they hear, and
//! the string a webhook's signature covers. Pure: the edge sends and signs.

use crate::record::{Phase, Reason};
use crate::scenario::{DialOutcome, Event, Text};
use std::fmt::Write;

/// Which call a provider's webhook is about; it travels in the webhook's URL, which the provider
/// signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leg {
    /// Customer first: the call placed to the customer.
    Customer,
    /// Agent first: the call placed to the agent.
    Agent,
    /// Customer first: the agent's phone, dialled from the customer's call.
    ToAgent,
    /// Agent first: the customer's phone, dialled from the agent's call.
    ToCustomer,
    /// Customer first: the customer waits on the line for an agent (the call comes back to ask).
    Hold,
}

impl Leg {
    pub fn as_str(self) -> &'static str {
        match self {
            Leg::Customer => "customer",
            Leg::Agent => "agent",
            Leg::ToAgent => "to-agent",
            Leg::ToCustomer => "to-customer",
            Leg::Hold => "hold",
        }
    }

    pub fn parse(text: &str) -> Option<Leg> {
        [
            Leg::Customer,
            Leg::Agent,
            Leg::ToAgent,
            Leg::ToCustomer,
            Leg::Hold,
        ]
        .into_iter()
        .find(|leg| leg.as_str() == text)
    }
}

/// What a call's status report means for its callback, in its current phase. Reports that come
/// twice, late or out of order find the callback in another phase and mean nothing; `talked`
/// (the call lasted) lets a completion that overtook its answer still count as answered.
pub fn on_status(leg: Leg, status: CallStatus, talked: bool, phase: &Phase) -> Vec<Event> {
    let unreached = status.unreached();
    match (leg, phase, unreached) {
        (Leg::Customer | Leg::ToCustomer, Phase::Dialing { .. }, Some(outcome)) => {
            vec![Event::DialResult(outcome)]
        }
        // The agent's phone, not the customer's, was out of reach: the dial failed.
        (Leg::Agent, Phase::Dialing { .. }, Some(_)) => {
            vec![Event::DialResult(DialOutcome::Failed)]
        }
        (Leg::ToAgent, Phase::Connected { .. }, Some(_)) => {
            vec![Event::Fail(Reason::FailAgentConnect)]
        }
        (_, _, Some(_)) => Vec::new(),
        (Leg::ToCustomer, Phase::Dialing { .. }, None) if status == CallStatus::InProgress => {
            vec![Event::DialResult(DialOutcome::Answered)]
        }
        (_, Phase::Connected { .. }, None) if status == CallStatus::Completed => {
            vec![Event::CallEnded]
        }
        (Leg::ToCustomer, Phase::Dialing { .. }, None)
            if status == CallStatus::Completed && talked =>
        {
            vec![Event::DialResult(DialOutcome::Answered), Event::CallEnded]
        }
        // Answered, but its instructions were never asked for (or never served): it failed.
        (Leg::Customer | Leg::Agent, Phase::Dialing { .. }, None)
            if status == CallStatus::Completed =>
        {
            vec![Event::DialResult(DialOutcome::Failed)]
        }
        // The customer hung up while waiting for an agent.
        (Leg::Customer | Leg::Hold, Phase::AwaitingAgent, None)
            if status == CallStatus::Completed =>
        {
            vec![Event::Fail(Reason::FailAgentConnect)]
        }
        _ => Vec::new(),
    }
}

/// What an answered call's request for instructions means for its callback: only the customer's
/// call placed first reports its answer (or the machine that took it) this way.
pub fn on_answer(leg: Leg, machine: bool, phase: &Phase) -> Vec<Event> {
    match (leg, phase) {
        (Leg::Customer, Phase::Dialing { .. }) if machine => {
            vec![Event::DialResult(DialOutcome::AnsweringMachine)]
        }
        (Leg::Customer, Phase::Dialing { .. }) => vec![Event::DialResult(DialOutcome::Answered)],
        _ => Vec::new(),
    }
}

/// The call's progress as the console shows it (`_call_progress` **[ext]**), from a report on
/// `leg`: the customer's phone ringing, answered (by a person or a machine), not reached, ended;
/// the agent's phone ringing and answered.
pub fn progress(leg: Leg, status: CallStatus, machine: bool) -> Option<&'static str> {
    let customer = matches!(leg, Leg::Customer | Leg::ToCustomer);
    Some(match status {
        CallStatus::Ringing if customer => "ringing",
        CallStatus::Ringing => "ringing the agent",
        CallStatus::InProgress if customer && machine => "answering machine",
        CallStatus::InProgress if customer => "answered",
        CallStatus::InProgress => "agent answered",
        CallStatus::Completed => "ended",
        CallStatus::Busy if customer => "busy",
        CallStatus::NoAnswer if customer => "no answer",
        CallStatus::Failed | CallStatus::Canceled if customer => "failed",
        CallStatus::Busy | CallStatus::NoAnswer | CallStatus::Failed | CallStatus::Canceled => {
            "the agent did not answer"
        }
        CallStatus::Queued | CallStatus::Initiated => return None,
    })
}

/// What a call does next, once its callback took the answer in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Ring the agent's phone and connect them.
    ConnectAgent(String),
    /// Tell the customer to hold, then ask again.
    Hold,
    /// The agent answered first: ring the customer.
    CallCustomer,
    Hangup,
}

pub fn next(leg: Leg, phase: &Phase) -> Next {
    match (leg, phase) {
        (Leg::Customer | Leg::Hold, Phase::Connected { agent }) => {
            Next::ConnectAgent(agent.clone())
        }
        (Leg::Customer | Leg::Hold, Phase::AwaitingAgent) => Next::Hold,
        (Leg::Agent, Phase::Dialing { .. }) => Next::CallCustomer,
        _ => Next::Hangup,
    }
}

/// A call's status as the provider reports it (Twilio's `CallStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStatus {
    Queued,
    Initiated,
    Ringing,
    InProgress,
    Completed,
    Busy,
    NoAnswer,
    Failed,
    Canceled,
}

impl CallStatus {
    pub fn parse(text: &str) -> Option<CallStatus> {
        Some(match text.trim() {
            "queued" => CallStatus::Queued,
            "initiated" => CallStatus::Initiated,
            "ringing" => CallStatus::Ringing,
            "in-progress" | "answered" => CallStatus::InProgress,
            "completed" => CallStatus::Completed,
            "busy" => CallStatus::Busy,
            "no-answer" => CallStatus::NoAnswer,
            "failed" => CallStatus::Failed,
            "canceled" => CallStatus::Canceled,
            _ => return None,
        })
    }

    /// The dial's outcome when the call did not reach anyone; `None` while it goes on or once
    /// answered (the answer itself comes with the call's instructions, machine detection's verdict
    /// included).
    pub fn unreached(self) -> Option<DialOutcome> {
        match self {
            CallStatus::Busy => Some(DialOutcome::Busy),
            CallStatus::NoAnswer => Some(DialOutcome::NoAnswer),
            CallStatus::Failed | CallStatus::Canceled => Some(DialOutcome::Failed),
            CallStatus::Queued
            | CallStatus::Initiated
            | CallStatus::Ringing
            | CallStatus::InProgress
            | CallStatus::Completed => None,
        }
    }
}

/// Whether answering-machine detection's `AnsweredBy` says a machine (or a fax) took the call.
pub fn is_machine(answered_by: &str) -> bool {
    let a = answered_by.trim();
    a.starts_with("machine") || a == "fax"
}

/// What a caller hears, in the service's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    /// Twilio's `<Say language>`.
    pub language: &'static str,
    /// To the customer, before the agent's phone rings.
    pub connecting: &'static str,
    /// To the customer, while no agent is free yet.
    pub hold: &'static str,
    /// To the agent, before the customer's phone rings.
    pub calling_customer: &'static str,
}

/// The words for a language tag (`fr`, `fr-FR`, …); English when not one we speak.
pub fn words(language: &str) -> Words {
    match primary(language).as_str() {
        "fr" => Words {
            language: "fr-FR",
            connecting: "Bonjour, vous avez demandé à être rappelé. Nous vous mettons en relation avec un conseiller.",
            hold: "Merci de patienter, un conseiller va vous répondre.",
            calling_customer: "Rappel d'un client : nous appelons le client.",
        },
        "de" => Words {
            language: "de-DE",
            connecting: "Guten Tag, Sie haben einen Rückruf angefordert. Wir verbinden Sie mit einem Mitarbeiter.",
            hold: "Bitte warten Sie, ein Mitarbeiter ist gleich für Sie da.",
            calling_customer: "Rückruf: Wir rufen den Kunden an.",
        },
        "es" => Words {
            language: "es-ES",
            connecting: "Hola, ha solicitado que le llamemos. Le pasamos con un agente.",
            hold: "Por favor, espere; un agente le atenderá enseguida.",
            calling_customer: "Devolución de llamada: llamamos al cliente.",
        },
        _ => Words {
            language: "en-US",
            connecting: "Hello, you asked us to call you back. We are connecting you to an agent.",
            hold: "Please hold, an agent will be with you shortly.",
            calling_customer: "Callback: we are calling the customer.",
        },
    }
}

/// A text to the customer in `language`: `when` is the callback's local time if it is scheduled
/// (else it is "shortly"), `link` the manage page, `from` the number that will call.
pub fn text(text: Text, language: &str, when: Option<&str>, link: &str, from: &str) -> String {
    let (booked_at, booked_now, reminder, calling, chat_ready, stop) = match primary(language).as_str() {
        "fr" => (
            "Votre rappel est prévu le {when}. Pour le modifier ou l'annuler : {link}",
            "Votre demande de rappel est enregistrée : nous vous appelons très bientôt. Pour l'annuler : {link}",
            "Rappel : nous vous appellerons le {when}. Pour modifier ou annuler : {link}",
            "Nous vous appelons maintenant depuis le {from}.",
            "Un conseiller est prêt à discuter avec vous : {link}",
            "STOP pour ne plus recevoir de SMS.",
        ),
        "de" => (
            "Ihr Rückruf ist für {when} gebucht. Ändern oder absagen: {link}",
            "Ihr Rückruf ist gebucht: Wir rufen Sie in Kürze an. Absagen: {link}",
            "Erinnerung: Wir rufen Sie am {when} an. Ändern oder absagen: {link}",
            "Wir rufen Sie jetzt von {from} an.",
            "Jemand ist bereit, mit Ihnen zu chatten: {link}",
            "STOP zum Abbestellen.",
        ),
        "es" => (
            "Su llamada está programada para el {when}. Para cambiarla o cancelarla: {link}",
            "Hemos recibido su solicitud: le llamaremos en breve. Para cancelarla: {link}",
            "Recordatorio: le llamaremos el {when}. Para cambiarla o cancelarla: {link}",
            "Le estamos llamando ahora desde el {from}.",
            "Un agente está listo para chatear con usted: {link}",
            "STOP para no recibir más SMS.",
        ),
        _ => (
            "Your callback is booked for {when}. To change or cancel it: {link}",
            "Your callback is booked: we will call you shortly. To cancel it: {link}",
            "Reminder: we will call you at {when}. To change or cancel it: {link}",
            "We are calling you now from {from}.",
            "An agent is ready to chat with you: {link}",
            "Reply STOP to opt out.",
        ),
    };
    let template = match (text, when) {
        (Text::Booked, Some(_)) => booked_at,
        (Text::Booked, None) => booked_now,
        (Text::Reminder, _) => reminder,
        (Text::Calling, _) => calling,
        (Text::ChatReady, _) => chat_ready,
    };
    let body = template
        .replace("{when}", when.unwrap_or(""))
        .replace("{link}", link)
        .replace("{from}", from);
    format!("{body} {stop}")
}

/// Whether an incoming text asks to stop texts (`Some(true)`), to start them again
/// (`Some(false)`), or neither: the keywords carriers and Twilio honour, and French `ARRET`.
pub fn opts_out(body: &str) -> Option<bool> {
    match body.trim().to_uppercase().as_str() {
        "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" | "ARRET" | "ARRÊT" => {
            Some(true)
        }
        "START" | "UNSTOP" | "YES" => Some(false),
        _ => None,
    }
}

/// A language tag's primary language (`fr` of `fr-CA`), lower case.
pub(crate) fn primary(tag: &str) -> String {
    tag.get(..2).unwrap_or("").to_ascii_lowercase()
}

/// One TwiML verb.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    Say {
        language: &'static str,
        text: String,
    },
    /// Says `text` and gathers the keys the caller presses, which go to `action`: one key, or
    /// (`digits: None`) keys until `#`. Without any, the verbs after it run.
    Gather {
        action: String,
        digits: Option<u32>,
        language: &'static str,
        text: String,
    },
    /// Connects `number`; `status` hears its leg's progress (answered, completed, …).
    Dial {
        caller_id: String,
        timeout: u32,
        number: String,
        status: String,
    },
    Pause(u32),
    Redirect(String),
    Hangup,
}

/// A TwiML document.
pub fn twiml(verbs: &[Verb]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>");
    for verb in verbs {
        // Writing to a String cannot fail.
        let _ = match verb {
            Verb::Say { language, text } => {
                write!(out, "<Say language=\"{language}\">{}</Say>", xml(text))
            }
            Verb::Dial {
                caller_id,
                timeout,
                number,
                status,
            } => write!(
                out,
                "<Dial callerId=\"{}\" timeout=\"{timeout}\"><Number statusCallbackEvent=\"answered completed\" statusCallback=\"{}\">{}</Number></Dial>",
                xml(caller_id),
                xml(status),
                xml(number)
            ),
            Verb::Gather {
                action,
                digits,
                language,
                text,
            } => {
                let keys = match digits {
                    Some(n) => format!("numDigits=\"{n}\" timeout=\"5\""),
                    None => "finishOnKey=\"#\" timeout=\"10\"".to_string(),
                };
                write!(
                    out,
                    "<Gather input=\"dtmf\" {keys} action=\"{}\" method=\"POST\"><Say language=\"{language}\">{}</Say></Gather>",
                    xml(action),
                    xml(text)
                )
            }
            Verb::Pause(secs) => write!(out, "<Pause length=\"{secs}\"/>"),
            Verb::Redirect(url) => write!(out, "<Redirect method=\"POST\">{}</Redirect>", xml(url)),
            Verb::Hangup => write!(out, "<Hangup/>"),
        };
    }
    out.push_str("</Response>");
    out
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// What Twilio's `X-Twilio-Signature` signs: the URL it called, then every POST parameter sorted
/// by name, each name followed by its value, with nothing between.
pub fn signed_text(url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut text = url.to_string();
    for (name, value) in sorted {
        text.push_str(name);
        text.push_str(value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_become_outcomes_only_when_nobody_was_reached() {
        let outcome = |s: &str| CallStatus::parse(s).and_then(CallStatus::unreached);
        assert_eq!(outcome("busy"), Some(DialOutcome::Busy));
        assert_eq!(outcome("no-answer"), Some(DialOutcome::NoAnswer));
        assert_eq!(outcome("failed"), Some(DialOutcome::Failed));
        assert_eq!(outcome("canceled"), Some(DialOutcome::Failed));
        for going_on in ["queued", "initiated", "ringing", "in-progress", "completed"] {
            assert_eq!(outcome(going_on), None, "{going_on}");
        }
        assert_eq!(CallStatus::parse("exploded"), None);
        assert!(is_machine("machine_end_beep") && is_machine("machine_start") && is_machine("fax"));
        assert!(!is_machine("human") && !is_machine("unknown") && !is_machine(""));
    }

    fn dialing() -> Phase {
        Phase::Dialing {
            agent: Some("a1".into()),
        }
    }

    fn connected() -> Phase {
        Phase::Connected { agent: "a1".into() }
    }

    #[test]
    fn customer_first_answers_connect_the_agent_and_machines_hang_up() {
        assert_eq!(
            on_answer(Leg::Customer, false, &dialing()),
            [Event::DialResult(DialOutcome::Answered)]
        );
        assert_eq!(
            on_answer(Leg::Customer, true, &dialing()),
            [Event::DialResult(DialOutcome::AnsweringMachine)]
        );
        // Asked twice (a provider's retry): the answer was already taken.
        assert_eq!(on_answer(Leg::Customer, false, &connected()), []);
        assert_eq!(
            next(Leg::Customer, &connected()),
            Next::ConnectAgent("a1".into())
        );
        assert_eq!(next(Leg::Hold, &Phase::AwaitingAgent), Next::Hold);
        assert_eq!(
            next(Leg::Hold, &connected()),
            Next::ConnectAgent("a1".into())
        );
        assert_eq!(next(Leg::Customer, &Phase::RetryWait), Next::Hangup);
        assert_eq!(next(Leg::Agent, &dialing()), Next::CallCustomer);
        assert_eq!(next(Leg::Agent, &connected()), Next::Hangup);
    }

    #[test]
    fn statuses_apply_once_in_their_phase() {
        let busy = on_status(Leg::Customer, CallStatus::Busy, false, &dialing());
        assert_eq!(busy, [Event::DialResult(DialOutcome::Busy)]);
        // The same report again, or late: the callback moved on.
        assert_eq!(
            on_status(Leg::Customer, CallStatus::Busy, false, &Phase::RetryWait),
            []
        );
        assert_eq!(
            on_status(Leg::Customer, CallStatus::Ringing, false, &dialing()),
            []
        );
        // The customer-first call reports its answer through its instructions, never its status.
        assert_eq!(
            on_status(Leg::Customer, CallStatus::InProgress, true, &dialing()),
            []
        );
        assert_eq!(
            on_status(Leg::Customer, CallStatus::Completed, true, &connected()),
            [Event::CallEnded]
        );
        assert_eq!(
            on_status(Leg::ToAgent, CallStatus::Completed, true, &connected()),
            [Event::CallEnded]
        );
        let after = Phase::Disposition { agent: "a1".into() };
        assert_eq!(
            on_status(Leg::ToAgent, CallStatus::Completed, true, &after),
            []
        );
        assert_eq!(
            on_status(Leg::ToAgent, CallStatus::NoAnswer, false, &connected()),
            [Event::Fail(Reason::FailAgentConnect)]
        );
        assert_eq!(
            on_status(
                Leg::Hold,
                CallStatus::Completed,
                true,
                &Phase::AwaitingAgent
            ),
            [Event::Fail(Reason::FailAgentConnect)]
        );
        assert_eq!(
            on_status(Leg::Customer, CallStatus::Completed, true, &dialing()),
            [Event::DialResult(DialOutcome::Failed)]
        );
    }

    #[test]
    fn progress_names_whose_phone_it_is() {
        assert_eq!(
            progress(Leg::Customer, CallStatus::Ringing, false),
            Some("ringing")
        );
        assert_eq!(
            progress(Leg::Customer, CallStatus::InProgress, true),
            Some("answering machine")
        );
        assert_eq!(
            progress(Leg::ToCustomer, CallStatus::InProgress, false),
            Some("answered")
        );
        assert_eq!(
            progress(Leg::ToAgent, CallStatus::Ringing, false),
            Some("ringing the agent")
        );
        assert_eq!(
            progress(Leg::Agent, CallStatus::NoAnswer, false),
            Some("the agent did not answer")
        );
        assert_eq!(
            progress(Leg::Hold, CallStatus::Completed, false),
            Some("ended")
        );
        assert_eq!(progress(Leg::Customer, CallStatus::Initiated, false), None);
    }

    #[test]
    fn agent_first_takes_the_customers_answer_from_its_status() {
        assert_eq!(
            on_status(Leg::Agent, CallStatus::NoAnswer, false, &dialing()),
            [Event::DialResult(DialOutcome::Failed)]
        );
        assert_eq!(
            on_status(Leg::ToCustomer, CallStatus::InProgress, true, &dialing()),
            [Event::DialResult(DialOutcome::Answered)]
        );
        assert_eq!(
            on_status(Leg::ToCustomer, CallStatus::NoAnswer, false, &dialing()),
            [Event::DialResult(DialOutcome::NoAnswer)]
        );
        // The completion overtook the answer: both, in order.
        assert_eq!(
            on_status(Leg::ToCustomer, CallStatus::Completed, true, &dialing()),
            [Event::DialResult(DialOutcome::Answered), Event::CallEnded]
        );
        assert_eq!(
            on_status(Leg::ToCustomer, CallStatus::Completed, false, &dialing()),
            []
        );
        for leg in [
            Leg::Customer,
            Leg::Agent,
            Leg::ToAgent,
            Leg::ToCustomer,
            Leg::Hold,
        ] {
            assert_eq!(Leg::parse(leg.as_str()), Some(leg));
        }
        assert_eq!(Leg::parse("Customer"), None);
    }

    #[test]
    fn texts_say_when_and_where_to_manage_in_the_services_language() {
        let link = "https://cb.example/manage.html?id=s~x";
        let booked = text(
            Text::Booked,
            "en",
            Some("Tue 8 Dec 14:30"),
            link,
            "+15005550006",
        );
        assert_eq!(
            booked,
            "Your callback is booked for Tue 8 Dec 14:30. To change or cancel it: https://cb.example/manage.html?id=s~x Reply STOP to opt out."
        );
        let now = text(Text::Booked, "fr-FR", None, link, "");
        assert!(now.starts_with("Votre demande de rappel est enregistrée") && now.contains(link));
        assert!(text(Text::Calling, "de", None, link, "+4930123456").contains("+4930123456"));
        assert!(text(Text::Reminder, "es", Some("8/12 14:30"), link, "").contains("8/12 14:30"));
        assert!(text(Text::ChatReady, "fr", None, link, "").contains(link));
        assert_eq!(opts_out(" stop "), Some(true));
        assert_eq!(opts_out("Arrêt"), Some(true));
        assert_eq!(opts_out("start"), Some(false));
        assert_eq!(opts_out("stop calling me at night"), None);
    }

    #[test]
    fn twiml_is_escaped_xml() {
        let doc = twiml(&[
            Verb::Say {
                language: "en-US",
                text: "Tom & Jerry <3".into(),
            },
            Verb::Gather {
                action: "https://x.test/i?step=offer&tries=0".into(),
                digits: Some(1),
                language: "fr-FR",
                text: "Tapez 1".into(),
            },
            Verb::Gather {
                action: "https://x.test/i?step=number".into(),
                digits: None,
                language: "fr-FR",
                text: "Votre numéro".into(),
            },
            Verb::Dial {
                caller_id: "+15005550006".into(),
                timeout: 20,
                number: "+33612345678".into(),
                status: "https://x.test/s?a=1&b=2".into(),
            },
            Verb::Pause(5),
            Verb::Redirect("https://x.test/v?attempt=1&leg=hold".into()),
            Verb::Hangup,
        ]);
        assert_eq!(
            doc,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say language=\"en-US\">Tom &amp; Jerry &lt;3</Say>\
             <Gather input=\"dtmf\" numDigits=\"1\" timeout=\"5\" action=\"https://x.test/i?step=offer&amp;tries=0\" method=\"POST\"><Say language=\"fr-FR\">Tapez 1</Say></Gather>\
             <Gather input=\"dtmf\" finishOnKey=\"#\" timeout=\"10\" action=\"https://x.test/i?step=number\" method=\"POST\"><Say language=\"fr-FR\">Votre numéro</Say></Gather>\
             <Dial callerId=\"+15005550006\" timeout=\"20\"><Number statusCallbackEvent=\"answered completed\" statusCallback=\"https://x.test/s?a=1&amp;b=2\">+33612345678</Number></Dial>\
             <Pause length=\"5\"/><Redirect method=\"POST\">https://x.test/v?attempt=1&amp;leg=hold</Redirect><Hangup/></Response>"
        );
    }

    #[test]
    fn the_signed_text_is_the_url_then_sorted_parameters() {
        let params: Vec<(String, String)> = [
            ("To", "+18005551212"),
            ("CallSid", "CA1234567890ABCDE"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("Caller", "+12349013030"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            signed_text("https://mycompany.com/myapp.php?foo=1&bar=2", &params),
            "https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030To+18005551212"
        );
    }

    #[test]
    fn words_follow_the_language_and_default_to_english() {
        assert_eq!(words("fr-CA").language, "fr-FR");
        assert_eq!(words("DE").language, "de-DE");
        assert_eq!(words("").language, "en-US");
        assert_eq!(words("é").language, "en-US");
    }
}
