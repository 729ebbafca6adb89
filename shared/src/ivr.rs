//! The menu a caller of the service's own number hears (SCENARIOS.md, "IVR Classic Callback on a
//! phone number"): what each key means where they are, and the words, in four languages. Pure:
//! the edge finds the caller's callback, books, and answers the provider.
//!
//! Where the caller is travels in the URL of the next webhook, which the provider signs: a
//! replayed webhook asks the same question again and changes nothing by itself.

use crate::phone::{self, PhonePolicy};
use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};

/// How many times a question is asked again after no key or a wrong one.
pub const REPEATS: u32 = 2;

/// Where a caller is in the menu.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Menu {
    /// Waiting in the queue while the office is open.
    #[default]
    Wait,
    /// Heard "press 1 to be called back without losing your place".
    Offer,
    /// The office is closed: heard the first free time and "press 1" to book it.
    Closed,
    /// Heard their number read back: 1 confirms, 2 keys another.
    ReadBack,
    /// Asked to key a number, ending with `#`.
    Number,
}

impl Menu {
    pub fn as_str(self) -> &'static str {
        match self {
            Menu::Wait => "wait",
            Menu::Offer => "offer",
            Menu::Closed => "closed",
            Menu::ReadBack => "readback",
            Menu::Number => "number",
        }
    }

    pub fn parse(text: &str) -> Option<Menu> {
        [
            Menu::Wait,
            Menu::Offer,
            Menu::Closed,
            Menu::ReadBack,
            Menu::Number,
        ]
        .into_iter()
        .find(|m| m.as_str() == text)
    }
}

/// What the caller hears next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Back to waiting (open), where the offer comes again in its time.
    Wait,
    /// The same question again, asked for the `n`th time after the first.
    Again(Menu, u32),
    /// Read `number` back: 1 confirms it, 2 keys another.
    ReadBack(String),
    AskNumber,
    /// Book the callback to `number`.
    Book(String),
    /// Closed, and nothing was chosen.
    Goodbye,
}

/// What the keys `digits` mean at `menu`, asked `tries` times again already. `caller`: the
/// caller's own number when it is shown (E.164); `number`: the one read back.
pub fn choose(
    menu: Menu,
    digits: &str,
    tries: u32,
    caller: Option<&str>,
    number: Option<&str>,
    policy: &PhonePolicy,
    open: bool,
) -> Next {
    let digits = digits.trim().trim_end_matches('#');
    let again = || {
        if tries < REPEATS {
            Next::Again(menu, tries.saturating_add(1))
        } else if open {
            Next::Wait
        } else {
            Next::Goodbye
        }
    };
    match (menu, digits) {
        (Menu::Wait, _) => Next::Wait,
        (Menu::Offer | Menu::Closed, "1") => match caller {
            Some(n) => Next::ReadBack(n.to_string()),
            None => Next::AskNumber,
        },
        (Menu::ReadBack, "1") => match number {
            Some(n) => Next::Book(n.to_string()),
            None => Next::AskNumber,
        },
        (Menu::ReadBack, "2") => Next::AskNumber,
        (Menu::Number, keyed) if !keyed.is_empty() => match phone::normalize(keyed, policy) {
            Ok(n) => Next::ReadBack(n),
            Err(_) => again(),
        },
        _ => again(),
    }
}

/// The caller's number as the provider shows it, if it is one: a withheld caller ID comes as
/// `anonymous`, `restricted`, `unknown` or nothing.
pub fn caller_number(from: &str) -> Option<String> {
    let from = from.trim();
    phone::is_e164(from).then(|| from.to_string())
}

/// The estimated wait in whole minutes, at least one.
pub fn minutes(ewt_secs: u32) -> u32 {
    ewt_secs.div_ceil(60).max(1)
}

/// What the caller hears, in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prompts {
    /// `<Say language>`.
    pub language: &'static str,
    /// `{n}`: minutes.
    wait: &'static str,
    pub offer: &'static str,
    /// `{when}`: the first free time.
    closed: &'static str,
    pub closed_full: &'static str,
    /// `{digits}`: the number's last four digits, one by one.
    read_back: &'static str,
    pub ask_number: &'static str,
    pub not_understood: &'static str,
    pub booked_in_queue: &'static str,
    /// `{when}`.
    booked_at: &'static str,
    pub taken: &'static str,
    pub sorry: &'static str,
    weekdays: [&'static str; 7],
    months: [&'static str; 12],
    /// `{weekday}`, `{day}`, `{month}`, `{time}`.
    date: &'static str,
}

impl Prompts {
    pub fn wait(&self, ewt_secs: u32) -> String {
        self.wait.replace("{n}", &minutes(ewt_secs).to_string())
    }

    /// `local`: the first free time in the service's zone.
    pub fn closed(&self, local: NaiveDateTime) -> String {
        self.closed.replace("{when}", &self.when(local))
    }

    pub fn booked_at(&self, local: NaiveDateTime) -> String {
        self.booked_at.replace("{when}", &self.when(local))
    }

    pub fn read_back(&self, number: &str) -> String {
        let digits: Vec<String> = number
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .iter()
            .rev()
            .take(4)
            .rev()
            .map(char::to_string)
            .collect();
        self.read_back.replace("{digits}", &digits.join(", "))
    }

    fn when(&self, local: NaiveDateTime) -> String {
        let pick = |names: &[&'static str], i: u32| {
            names
                .get(usize::try_from(i).unwrap_or(0))
                .copied()
                .unwrap_or("")
        };
        self.date
            .replace(
                "{weekday}",
                pick(&self.weekdays, local.weekday().num_days_from_monday()),
            )
            .replace("{day}", &local.day().to_string())
            .replace("{month}", pick(&self.months, local.month0()))
            .replace(
                "{time}",
                &format!("{:02}:{:02}", local.hour(), local.minute()),
            )
    }
}

/// The prompts for a language tag (`fr`, `fr-FR`, …); English when not one we speak.
pub fn prompts(language: &str) -> Prompts {
    match crate::telephony::primary(language).as_str() {
        "fr" => Prompts {
            language: "fr-FR",
            wait: "Tous nos conseillers sont occupés. L'attente est d'environ {n} minutes.",
            offer: "Tapez 1 pour être rappelé sans perdre votre place.",
            closed: "Nous sommes fermés. Nous pouvons vous rappeler {when}. Tapez 1 pour réserver cet horaire, ou raccrochez.",
            closed_full: "Nous sommes fermés et n'avons aucun horaire libre pour vous rappeler. Merci de rappeler plus tard. Au revoir.",
            read_back: "Nous vous rappellerons au numéro se terminant par {digits}. Tapez 1 pour confirmer, ou 2 pour saisir un autre numéro.",
            ask_number: "Saisissez votre numéro de téléphone, puis la touche dièse.",
            not_understood: "Désolé, je n'ai pas compris.",
            booked_in_queue: "Merci. Vous gardez votre place dans la file et nous vous rappellerons. Au revoir.",
            booked_at: "Merci. Nous vous rappellerons {when}. Au revoir.",
            taken: "Désolé, cet horaire vient d'être pris.",
            sorry: "Désolé, votre appel ne peut pas être traité. Au revoir.",
            weekdays: ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
            months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
            date: "le {weekday} {day} {month} à {time}",
        },
        "de" => Prompts {
            language: "de-DE",
            wait: "Alle Mitarbeiter sind im Gespräch. Die Wartezeit beträgt etwa {n} Minuten.",
            offer: "Drücken Sie die 1 für einen Rückruf, ohne Ihren Platz zu verlieren.",
            closed: "Wir haben geschlossen. Wir können Sie {when} zurückrufen. Drücken Sie die 1, um diese Zeit zu buchen, oder legen Sie auf.",
            closed_full: "Wir haben geschlossen und keine freie Zeit für einen Rückruf. Bitte rufen Sie später wieder an. Auf Wiederhören.",
            read_back: "Wir rufen Sie unter der Nummer mit den Endziffern {digits} zurück. Drücken Sie die 1 zum Bestätigen oder die 2 für eine andere Nummer.",
            ask_number: "Bitte geben Sie Ihre Telefonnummer ein und drücken Sie dann die Rautetaste.",
            not_understood: "Entschuldigung, das habe ich nicht verstanden.",
            booked_in_queue: "Danke. Sie behalten Ihren Platz in der Warteschlange, und wir rufen Sie zurück. Auf Wiederhören.",
            booked_at: "Danke. Wir rufen Sie {when} zurück. Auf Wiederhören.",
            taken: "Entschuldigung, diese Zeit wurde gerade vergeben.",
            sorry: "Entschuldigung, Ihr Anruf kann nicht bearbeitet werden. Auf Wiederhören.",
            weekdays: ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
            months: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
            date: "am {weekday}, {day}. {month} um {time} Uhr",
        },
        "es" => Prompts {
            language: "es-ES",
            wait: "Todos nuestros agentes están ocupados. La espera es de unos {n} minutos.",
            offer: "Pulse 1 para que le llamemos sin perder su lugar.",
            closed: "Estamos cerrados. Podemos llamarle el {when}. Pulse 1 para reservar esa hora, o cuelgue.",
            closed_full: "Estamos cerrados y no tenemos ninguna hora libre para llamarle. Vuelva a llamar más tarde. Adiós.",
            read_back: "Le llamaremos al número que termina en {digits}. Pulse 1 para confirmar, o 2 para introducir otro número.",
            ask_number: "Introduzca su número de teléfono y pulse la tecla almohadilla.",
            not_understood: "Lo siento, no le he entendido.",
            booked_in_queue: "Gracias. Conserva su lugar en la cola y le llamaremos. Adiós.",
            booked_at: "Gracias. Le llamaremos el {when}. Adiós.",
            taken: "Lo siento, esa hora acaba de ocuparse.",
            sorry: "Lo siento, no podemos atender su llamada. Adiós.",
            weekdays: ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
            months: ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
            date: "{weekday} {day} de {month} a las {time}",
        },
        _ => Prompts {
            language: "en-US",
            wait: "All our agents are busy. The estimated wait is about {n} minutes.",
            offer: "Press 1 to be called back without losing your place.",
            closed: "We are closed now. We can call you back {when}. Press 1 to book that time, or hang up.",
            closed_full: "We are closed now, and we have no free time to call you back. Please call again later. Goodbye.",
            read_back: "We will call you back on the number ending in {digits}. Press 1 to confirm, or 2 to enter another number.",
            ask_number: "Please enter your phone number, then press the hash key.",
            not_understood: "Sorry, I did not get that.",
            booked_in_queue: "Thank you. You keep your place in the queue, and we will call you back. Goodbye.",
            booked_at: "Thank you. We will call you back {when}. Goodbye.",
            taken: "Sorry, that time has just been taken.",
            sorry: "Sorry, we cannot take your call. Goodbye.",
            weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
            months: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
            date: "on {weekday} {month} {day} at {time}",
        },
    }
}

/// A time as it travels in a webhook's URL: whole seconds since the epoch.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(text.parse().ok()?, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::Country;

    fn policy() -> PhonePolicy {
        PhonePolicy {
            default_country: Country::from_iso("FR").unwrap(),
            disallow_impossible: true,
            disallow_premium: true,
        }
    }

    const ME: &str = "+33612345678";

    fn choose_at(menu: Menu, digits: &str, tries: u32, caller: Option<&str>) -> Next {
        choose(menu, digits, tries, caller, Some(ME), &policy(), true)
    }

    #[test]
    fn one_reads_the_number_back_and_one_again_books_it() {
        assert_eq!(
            choose_at(Menu::Offer, "1", 0, Some(ME)),
            Next::ReadBack(ME.into())
        );
        assert_eq!(
            choose_at(Menu::ReadBack, "1", 0, Some(ME)),
            Next::Book(ME.into())
        );
        assert_eq!(choose_at(Menu::ReadBack, "2", 0, Some(ME)), Next::AskNumber);
        // A withheld caller ID: the number is asked for at once.
        assert_eq!(choose_at(Menu::Offer, "1", 0, None), Next::AskNumber);
        assert_eq!(choose_at(Menu::Closed, "1", 0, None), Next::AskNumber);
    }

    #[test]
    fn a_keyed_number_is_read_back_in_e164() {
        assert_eq!(
            choose_at(Menu::Number, "0687654321#", 0, None),
            Next::ReadBack("+33687654321".into())
        );
        assert_eq!(
            choose_at(Menu::Number, "12", 0, None),
            Next::Again(Menu::Number, 1)
        );
    }

    #[test]
    fn wrong_or_no_keys_repeat_twice_then_the_caller_waits_or_is_let_go() {
        assert_eq!(
            choose_at(Menu::Offer, "7", 0, Some(ME)),
            Next::Again(Menu::Offer, 1)
        );
        assert_eq!(
            choose_at(Menu::Offer, "", 1, Some(ME)),
            Next::Again(Menu::Offer, 2)
        );
        assert_eq!(choose_at(Menu::Offer, "", 2, Some(ME)), Next::Wait);
        assert_eq!(choose_at(Menu::ReadBack, "9", 2, Some(ME)), Next::Wait);
        let closed = choose(Menu::Closed, "", 2, Some(ME), None, &policy(), false);
        assert_eq!(closed, Next::Goodbye);
        assert_eq!(choose_at(Menu::Wait, "1", 0, Some(ME)), Next::Wait);
    }

    #[test]
    fn withheld_caller_ids_are_no_numbers() {
        for withheld in [
            "anonymous",
            "restricted",
            "unknown",
            "",
            "+266696687x",
            "266696687",
        ] {
            assert_eq!(caller_number(withheld), None, "{withheld}");
        }
        assert_eq!(caller_number(" +33612345678 "), Some(ME.into()));
    }

    #[test]
    fn prompts_in_four_languages_read_the_last_four_digits_and_local_times() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 8)
            .and_then(|d| d.and_hms_opt(9, 30, 0))
            .unwrap_or_default();
        assert_eq!(
            prompts("en").read_back(ME),
            "We will call you back on the number ending in 5, 6, 7, 8. Press 1 to confirm, or 2 to enter another number."
        );
        assert!(prompts("en")
            .closed(at)
            .contains("on Tuesday December 8 at 09:30"));
        assert!(prompts("fr-CA")
            .closed(at)
            .contains("le mardi 8 décembre à 09:30"));
        assert!(prompts("de")
            .booked_at(at)
            .contains("am Dienstag, 8. Dezember um 09:30 Uhr"));
        assert!(prompts("es").wait(61).contains("2 minutos"));
        assert_eq!(prompts("it").language, "en-US");
        assert_eq!(minutes(0), 1);
    }

    #[test]
    fn menus_travel_as_text() {
        for m in [
            Menu::Wait,
            Menu::Offer,
            Menu::Closed,
            Menu::ReadBack,
            Menu::Number,
        ] {
            assert_eq!(Menu::parse(m.as_str()), Some(m));
        }
        assert_eq!(Menu::parse("menu"), None);
        assert_eq!(
            parse_time("1765184400").map(|t| t.timestamp()),
            Some(1_765_184_400)
        );
        assert_eq!(parse_time("soon"), None);
    }
}
