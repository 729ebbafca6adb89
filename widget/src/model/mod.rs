//! The widget's logic, in plain types tested natively: the dialog's and the manage view's states
//! and how they change, days and their free times, what an API error means to a visitor, the
//! calendar file, the country a locale suggests.

use callback_shared::phone::Country;
use callback_shared::wire::SlotV2;

mod manage;
pub use manage::{Managed, Outcome, Seen, Standing, Status};

/// A calendar date. The widget's own few lines instead of chrono, whose formatting and parsing
/// would weigh more than the rest of the date handling here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// `2026-12-05` (what follows, such as a time, is ignored).
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.get(..10)?.split('-');
        let date = Date {
            year: parts.next()?.parse().ok()?,
            month: parts.next()?.parse().ok()?,
            day: parts.next()?.parse().ok()?,
        };
        (1..=12).contains(&date.month).then_some(())?;
        (1..=Date::days_in_month(date.year, date.month))
            .contains(&date.day)
            .then_some(date)
    }

    fn days_in_month(year: i32, month: u32) -> u32 {
        match month {
            2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// The next day.
    pub fn next(self) -> Date {
        match (
            self.day < Date::days_in_month(self.year, self.month),
            self.month,
        ) {
            (true, _) => Date {
                day: self.day + 1,
                ..self
            },
            (false, 12) => Date {
                year: self.year + 1,
                month: 1,
                day: 1,
            },
            (false, m) => Date {
                month: m + 1,
                day: 1,
                ..self
            },
        }
    }

    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One day of the slot picker: its local date and its free times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub date: Date,
    pub slots: Vec<SlotV2>,
}

/// The next `count` local days from `today`, each with its free slots (slots carry the visitor's
/// local time, asked with `timezone`). When the answer was cut at its slot limit (`complete` is
/// false), days after its last slot are unknown, so they are not shown as empty.
pub fn days(today: Date, count: usize, slots: &[SlotV2], complete: bool) -> Vec<Day> {
    let last_known = if complete {
        None
    } else {
        slots.last().and_then(|s| Date::parse(&s.local_time))
    };
    std::iter::successors(Some(today), |d| Some(d.next()))
        .take(count)
        .take_while(|d| last_known.is_none_or(|last| *d <= last))
        .map(|date| {
            let prefix = date.iso();
            Day {
                date,
                slots: slots
                    .iter()
                    .filter(|s| s.local_time.starts_with(&prefix) && s.capacity > 0)
                    .cloned()
                    .collect(),
            }
        })
        .collect()
}

/// The day to show when `wanted` is picked: itself if it has free times, else the next that has.
pub fn day_to_show(days: &[Day], wanted: usize) -> Option<usize> {
    (wanted..days.len()).find(|&i| !days[i].slots.is_empty())
}

/// Morning, afternoon or evening: how a day's free times are grouped, so the list stays short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Morning,
    Afternoon,
    Evening,
}

/// The part of the day of a local time (`2026-12-05T13:15:00.000`).
pub fn part_of_day(local_time: &str) -> Part {
    match local_time
        .get(11..13)
        .and_then(|h| h.parse::<u32>().ok())
        .unwrap_or(0)
    {
        0..=11 => Part::Morning,
        12..=17 => Part::Afternoon,
        _ => Part::Evening,
    }
}

/// What went wrong, in the visitor's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The time was taken meanwhile; the nearest free times (UTC ISO).
    Taken(Vec<String>),
    /// A queue limit, throttle or duplicate.
    Limit,
    TooMany(u32),
    Invalid(String),
    NotFound,
    /// The page's origin is not among the service's `_allowed_origins`: the server's message,
    /// for the site's owner.
    SiteNotAllowed(String),
    Network,
    Other(String),
}

impl Problem {
    /// From an error answer: its status, `Retry-After`, and the body's `message`, `exception` and
    /// `availability` slots.
    pub fn from_answer(
        status: u16,
        retry_after: Option<u32>,
        message: String,
        exception: &str,
        alternatives: Vec<String>,
    ) -> Problem {
        match status {
            400 if exception.ends_with("CallbackExceptionAvailability") => {
                Problem::Taken(alternatives)
            }
            400 => Problem::Invalid(message),
            403 => Problem::SiteNotAllowed(message),
            404 => Problem::NotFound,
            429 => Problem::TooMany(retry_after.unwrap_or(60)),
            503 => Problem::Limit,
            _ => Problem::Other(message),
        }
    }
}

/// The slot picker's state, shared by the dialog and the manage view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    /// The days once loaded.
    pub days: Option<Result<Vec<Day>, Problem>>,
    /// The day the visitor picked.
    pub wanted: usize,
    pub chosen: Option<SlotV2>,
}

impl Picker {
    /// The day shown: the one picked, or the next with free times.
    pub fn shown(&self) -> Option<usize> {
        match &self.days {
            Some(Ok(days)) => day_to_show(days, self.wanted),
            _ => None,
        }
    }

    pub fn pick_day(&mut self, day: usize) {
        self.wanted = day;
        self.chosen = None;
    }

    pub fn pick_slot(&mut self, slot: SlotV2) {
        self.chosen = Some(slot);
    }
}

/// Where the dialog is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Step {
    #[default]
    Form,
    Slots,
    /// Booked: the callback's id, and its time (`None`: as soon as possible).
    Done {
        id: String,
        at: Option<String>,
    },
}

/// When the service can call: open now, the estimated wait (s), the business's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub open: bool,
    pub wait_secs: u32,
    pub zone: String,
}

/// The dialog's whole state; its views render it, its actions call the transitions below.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dialog {
    pub open: bool,
    pub step: Step,
    pub busy: bool,
    /// What is under way, for screen readers (a text of the visitor's language).
    pub status: &'static str,
    pub problem: Option<Problem>,
    pub number_invalid: bool,
    pub offer: Option<Offer>,
    pub picker: Picker,
    /// The last request sent (`None` = now), for "try again".
    pub attempt: Option<Option<String>>,
}

impl Dialog {
    /// Just opened: a fresh form.
    pub fn opened() -> Dialog {
        Dialog {
            open: true,
            ..Dialog::default()
        }
    }

    /// The number is not one the service can call: back to the form, which says so.
    pub fn number_refused(&mut self, back_to_form: bool) {
        self.number_invalid = true;
        if back_to_form {
            self.step = Step::Form;
        }
    }

    /// Something is asked of the API (`status` says what, for screen readers).
    pub fn waiting(&mut self, status: &'static str) {
        self.busy = true;
        self.problem = None;
        self.status = status;
    }

    /// A request is sent: now (`None`) or at a slot's UTC time.
    pub fn sending(&mut self, at: Option<String>, status: &'static str) {
        self.attempt = Some(at);
        self.waiting(status);
    }

    /// The API answered the request: booked (the callback's id), or why not.
    pub fn sent(&mut self, result: Result<String, Problem>) {
        self.busy = false;
        self.status = "";
        match result {
            Ok(id) => {
                let at = self.attempt.clone().flatten();
                self.step = Step::Done { id, at };
            }
            Err(p) => self.problem = Some(p),
        }
    }

    /// The free times arrived: the picker opens.
    pub fn slots_loaded(&mut self, picker: Picker) {
        self.busy = false;
        self.status = "";
        self.number_invalid = false;
        self.step = Step::Slots;
        self.picker = picker;
    }

    /// Back from the picker to the form.
    pub fn back(&mut self) {
        self.problem = None;
        self.step = Step::Form;
    }
}

/// The country a locale suggests for phone numbers (`fr-CA` → CA, `de` → DE), or the first known.
pub fn country_of_locale(tag: &str) -> Country {
    let region = tag.split(['-', '_']).nth(1).map(str::to_ascii_uppercase);
    let from_language = match tag.get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("fr") => "FR",
        Some("de") => "DE",
        Some("es") => "ES",
        Some("it") => "IT",
        _ => "US",
    };
    region
        .as_deref()
        .and_then(Country::from_iso)
        .or_else(|| Country::from_iso(from_language))
        .unwrap_or(Country::all()[0])
}

/// A short reference to read over the phone: the id's last 8 letters and digits.
pub fn reference(id: &str) -> String {
    let tail: Vec<char> = id
        .chars()
        .rev()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    tail.into_iter()
        .rev()
        .collect::<String>()
        .to_ascii_uppercase()
}

/// `2026-12-01T09:15:00.000Z` → `20261201T091500Z` (iCalendar UTC form).
fn ics_time(iso: &str) -> String {
    iso.chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .take(15)
        .collect::<String>()
        + "Z"
}

/// An iCalendar event for the booked callback.
pub fn ics(
    id: &str,
    start_utc: &str,
    end_utc: &str,
    title: &str,
    description: &str,
    stamp_utc: &str,
) -> String {
    let escape = |s: &str| {
        s.replace('\\', "\\\\")
            .replace(';', "\\;")
            .replace(',', "\\,")
            .replace('\n', "\\n")
    };
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Callback//Widget//EN",
        "BEGIN:VEVENT",
        &format!("UID:{id}@callback"),
        &format!("DTSTAMP:{}", ics_time(stamp_utc)),
        &format!("DTSTART:{}", ics_time(start_utc)),
        &format!("DTEND:{}", ics_time(end_utc)),
        &format!("SUMMARY:{}", escape(title)),
        &format!("DESCRIPTION:{}", escape(description)),
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    .join("\r\n")
}

/// The service a callback id belongs to (`callback-web~…` → `callback-web`).
pub fn service_of(id: &str) -> Option<&str> {
    id.rsplit_once('~')
        .map(|(s, _)| s)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dialog_books_now_or_at_a_time_and_remembers_what_to_retry() {
        let mut d = Dialog::opened();
        assert!(d.open && d.step == Step::Form);
        d.sending(None, "sending");
        assert!(d.busy && d.status == "sending" && d.attempt == Some(None));
        d.sent(Err(Problem::Network));
        assert!(!d.busy && d.problem == Some(Problem::Network) && d.step == Step::Form);
        d.sending(Some("2026-12-05T09:00:00.000Z".into()), "sending");
        assert_eq!(d.problem, None);
        d.sent(Ok("cb~x".into()));
        assert_eq!(
            d.step,
            Step::Done {
                id: "cb~x".into(),
                at: Some("2026-12-05T09:00:00.000Z".into())
            }
        );
    }

    #[test]
    fn the_picker_opens_once_times_are_there_and_a_bad_number_goes_back() {
        let mut d = Dialog::opened();
        d.number_refused(false);
        d.waiting("loading");
        d.slots_loaded(Picker::default());
        assert!(d.step == Step::Slots && !d.number_invalid && !d.busy && d.status.is_empty());
        d.picker.pick_slot(slot("2026-12-05T09:00:00.000", 1));
        d.picker.pick_day(2);
        assert_eq!((d.picker.wanted, d.picker.chosen.clone()), (2, None));
        d.number_refused(true);
        assert!(d.number_invalid && d.step == Step::Form);
        d.slots_loaded(Picker::default());
        d.back();
        assert_eq!(d.step, Step::Form);
    }

    fn slot(local: &str, capacity: u32) -> SlotV2 {
        SlotV2 {
            utc_time: format!("{local}Z"),
            local_time: format!("{local}.000"),
            capacity,
            total: 3,
        }
    }

    #[test]
    fn dates() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(d("2026-12-31").next(), d("2027-01-01"));
        assert_eq!(d("2028-02-28").next(), d("2028-02-29"));
        assert_eq!(d("2026-02-28").next(), d("2026-03-01"));
        assert_eq!(d("2026-04-30T10:00:00.000").next().iso(), "2026-05-01");
        for bad in ["2026-02-29", "2026-13-01", "2026-1-1", "", "garbage!!!"] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn days_group_free_slots_and_skip_to_the_next_open_day() {
        let today = Date::parse("2026-12-05").unwrap();
        let slots = [
            slot("2026-12-05T09:00:00", 0),
            slot("2026-12-07T09:00:00", 2),
            slot("2026-12-07T09:15:00", 1),
            slot("2026-12-08T10:00:00", 1),
        ];
        let d = days(today, 5, &slots, true);
        assert_eq!(d.len(), 5);
        assert_eq!(
            days(today, 5, &slots, false).len(),
            4,
            "a cut answer says nothing of the days after its last slot"
        );
        assert!(d[0].slots.is_empty(), "a full slot is not free");
        assert_eq!(d[2].slots.len(), 2);
        assert_eq!(day_to_show(&d, 0), Some(2));
        assert_eq!(day_to_show(&d, 3), Some(3));
        assert_eq!(day_to_show(&d, 4), None);
    }

    #[test]
    fn problems_in_visitor_terms() {
        let p = |status, retry, exception: &str, alternatives: &[&str]| {
            Problem::from_answer(
                status,
                retry,
                "m".into(),
                exception,
                alternatives.iter().map(|s| s.to_string()).collect(),
            )
        };
        let availability =
            "com.genesyslab.gsg.services.callback.exceptions.CallbackExceptionAvailability";
        assert_eq!(
            p(400, None, availability, &["2026-12-01T09:00:00.000Z"]),
            Problem::Taken(vec!["2026-12-01T09:00:00.000Z".into()])
        );
        assert_eq!(
            p(400, None, "x.CallbackExceptionInvalidParameter", &[]),
            Problem::Invalid("m".into())
        );
        assert_eq!(p(503, None, "", &[]), Problem::Limit);
        assert_eq!(p(429, Some(12), "", &[]), Problem::TooMany(12));
        assert_eq!(p(404, None, "", &[]), Problem::NotFound);
        assert_eq!(p(403, None, "", &[]), Problem::SiteNotAllowed("m".into()));
    }

    #[test]
    fn times_by_part_of_the_day() {
        let part = |local: &str| part_of_day(&slot(local, 1).local_time);
        assert_eq!(part("2026-12-07T00:00:00"), Part::Morning);
        assert_eq!(part("2026-12-07T11:45:00"), Part::Morning);
        assert_eq!(part("2026-12-07T12:00:00"), Part::Afternoon);
        assert_eq!(part("2026-12-07T17:59:00"), Part::Afternoon);
        assert_eq!(part("2026-12-07T18:00:00"), Part::Evening);
        assert_eq!(part("2026-12-07T23:45:00"), Part::Evening);
    }

    #[test]
    fn countries_from_locales() {
        assert_eq!(country_of_locale("fr-FR").iso, "FR");
        assert_eq!(country_of_locale("fr-CA").iso, "CA");
        assert_eq!(country_of_locale("en-GB").iso, "GB");
        assert_eq!(country_of_locale("de").iso, "DE");
        assert_eq!(country_of_locale("ja-JP").iso, "US");
    }

    #[test]
    fn calendar_file_and_references() {
        let text = ics(
            "cb~abc",
            "2026-12-01T09:15:00.000Z",
            "2026-12-01T09:30:00.000Z",
            "Callback, Acme",
            "Ref ABC",
            "2026-11-24T08:00:00.000Z",
        );
        assert!(text.contains("DTSTART:20261201T091500Z\r\n"));
        assert!(text.contains("DTEND:20261201T093000Z\r\n"));
        assert!(text.contains("SUMMARY:Callback\\, Acme\r\n"));
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(reference("callback-web~HO5nnvJl7YXApGofKkjGmA"), "OFKKJGMA");
        assert_eq!(reference("cb~AAAAAAAAAAAAAAQMVW-8R_C"), "AQMVW8RC");
        assert_eq!(
            service_of("callback-web~HO5nnvJl7YXApGofKkjGmA"),
            Some("callback-web")
        );
        assert_eq!(service_of("nonsense"), None);
    }
}
