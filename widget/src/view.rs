//! What the dialog and the manage page share: the widget's settings and the slot picker.
//!
//! Size matters here (the budget is 90 KB gzipped, and every reactive closure and signal type
//! instantiates Leptos generics), so each view is one render of one state value: an action changes
//! the state, the view renders again, and focus is put back on the control that had it (by its
//! `data-k` key), so keyboard users never lose their place.

use crate::api::Api;
use crate::browser::{self, Style};
use crate::i18n::{fill, Lang, Texts};
use crate::model::{self, Part, Picker};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Everything the widget is told by its host element, and what it finds in the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub api: Api,
    pub lang: Lang,
    /// The visitor's IANA zone.
    pub zone: String,
    /// The site's consent line, if it sets one.
    pub consent: Option<String>,
    /// The manage page's address (`https://host/manage.html`).
    pub manage_page: String,
}

impl Settings {
    pub fn t(&self) -> &'static Texts {
        self.lang.texts()
    }

    pub fn when(&self, utc: &str, style: Style) -> String {
        browser::format(utc, self.lang.tag(), &self.zone, style)
    }
}

/// How long the slot picker looks ahead.
const DAYS_AHEAD: usize = 14;
/// The most slots one availability answer holds (the API's cap).
const MAX_SLOTS: usize = 1000;

/// Loads the free slots of the coming days into a fresh picker.
pub fn load_slots(settings: StoredValue<Settings>, done: impl FnOnce(Picker) + 'static) {
    let (api, zone) = settings.with_value(|s| (s.api.clone(), s.zone.clone()));
    spawn_local(async move {
        let answer = api.availability(&zone, DAYS_AHEAD as u32).await;
        let days = answer.map(|a| {
            model::days(
                browser::today(&zone),
                DAYS_AHEAD,
                &a.slots,
                a.slots.len() < MAX_SLOTS,
            )
        });
        done(Picker {
            days: Some(days),
            ..Picker::default()
        });
    });
}

/// Days, then the chosen day's free times by part of the day. Each list is one tab stop (its
/// selected option's); arrow keys, Home and End move through its options, picking them as they go
/// (the WAI-ARIA listbox pattern, selection following focus: `widget/web/shadow.js` handles the
/// keys for every list in the shadow root). A day without free times says so and shows the next
/// day that has some.
pub fn picker(
    s: StoredValue<Settings>,
    p: &Picker,
    busy: bool,
    on_pick: impl Fn(String) + Copy + 'static,
    change: impl Fn(fn_box::Change) + Copy + 'static,
) -> AnyView {
    let t = s.with_value(Settings::t);
    let days = match &p.days {
        None => return view! { <p class="cb-loading">{t.loading}</p> }.into_any(),
        Some(Err(_)) => {
            return view! { <p class="cb-problem" role="alert">{t.network}</p> }.into_any()
        }
        Some(Ok(days)) if days.iter().all(|d| d.slots.is_empty()) => {
            return view! { <p>{t.no_slots}</p> }.into_any()
        }
        Some(Ok(days)) => days,
    };
    let lang = s.with_value(|s| s.lang.tag());
    let shown = p.shown();
    let day_options = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let class = if d.slots.is_empty() {
                "cb-day cb-empty"
            } else {
                "cb-day"
            };
            option(
                class,
                "day",
                i,
                shown == Some(i),
                shown == Some(i),
                browser::day_label(d.date, lang),
                move || change(fn_box::day(i)),
            )
        })
        .collect_view();
    let notice = match shown {
        Some(s) if s != p.wanted => Some(fill(
            t.no_slots_day,
            &[
                &browser::day_label(days[p.wanted].date, lang),
                &browser::day_label(days[s].date, lang),
            ],
        )),
        None => Some(t.no_slots.to_string()),
        _ => None,
    };
    let times = shown.map(|i| {
        let slots = days[i].slots.clone();
        let chosen = slots
            .iter()
            .position(|s| p.chosen.as_ref().is_some_and(|c| c.utc_time == s.utc_time));
        // The chosen time is the list's tab stop; before a choice, the first time is.
        let stop = chosen.unwrap_or(0);
        let groups = [
            (Part::Morning, t.morning),
            (Part::Afternoon, t.afternoon),
            (Part::Evening, t.evening),
        ]
        .into_iter()
        .filter_map(|(part, name)| {
            let options: Vec<AnyView> = (0..slots.len())
                .filter(|&k| model::part_of_day(&slots[k].local_time) == part)
                .map(|k| {
                    let slot = slots[k].clone();
                    option(
                        "cb-slot",
                        "slot",
                        k,
                        chosen == Some(k),
                        stop == k,
                        s.with_value(|s| s.when(&slot.utc_time, Style::Time)),
                        move || change(fn_box::slot(slot.clone())),
                    )
                })
                .collect();
            // The visible label is the group's `aria-label`, drawn by the stylesheet.
            (!options.is_empty())
                .then(|| view! { <div role="group" aria-label=name>{options}</div> }.into_any())
        })
        .collect_view();
        view! {
            <span id="cb-times-name" class="cb-list-name">{t.times}</span>
            <div class="cb-times" role="listbox" aria-labelledby="cb-times-name">{groups}</div>
        }
    });
    let chosen = p.chosen.clone();
    view! {
        <span id="cb-days-name" class="cb-list-name">{t.days}</span>
        <div class="cb-days" role="listbox" aria-orientation="horizontal" aria-labelledby="cb-days-name">{day_options}</div>
        {notice.map(|n| view! { <p class="cb-notice">{n}</p> })}
        {times}
        <div class="cb-actions">
            <button type="button" class="cb-primary" data-k="book" disabled=busy || chosen.is_none()
                on:click=move |_| { if let Some(slot) = &chosen { on_pick(slot.utc_time.clone()) } }>{t.book}</button>
        </div>
    }
    .into_any()
}

/// One option of a picker's list, keyed `<list>-<index>`; `stop` makes it the list's one tab
/// stop. Its list handles clicks (one handler per list, not per option: smaller wasm).
fn option(
    class: &'static str,
    list: &str,
    index: usize,
    selected: bool,
    stop: bool,
    label: String,
    pick: impl Fn() + 'static,
) -> AnyView {
    let flag = if selected { "true" } else { "false" };
    let tab = if stop { "0" } else { "-1" };
    view! { <button type="button" role="option" class=class data-k=format!("{list}-{index}") aria-selected=flag tabindex=tab on:click=move |_| pick()>{label}</button> }.into_any()
}

/// Picker changes as boxed closures: one closure type for every day and slot button.
pub mod fn_box {
    use crate::model::Picker;
    use callback_shared::wire::SlotV2;

    pub type Change = Box<dyn FnOnce(&mut Picker)>;

    pub fn day(i: usize) -> Change {
        Box::new(move |p| p.pick_day(i))
    }

    pub fn slot(slot: SlotV2) -> Change {
        Box::new(move |p| p.pick_slot(slot))
    }
}
