//! The widget's views. Size matters here (the budget is 90 KB gzipped, and every reactive closure
//! and signal type instantiates Leptos generics), so each view is one render of one state value:
//! an action changes the state, the view renders again, and focus is put back on the control
//! that had it (by its `data-k` key), so keyboard users never lose their place.

use crate::api::Api;
#[cfg(feature = "manage")]
use crate::api::Json;
use crate::browser::{self, Style};
use crate::i18n::{fill, Lang, Texts};
use crate::model::{self, Day, Part, Problem};
use callback_shared::phone::{self, Country, PhonePolicy};
use callback_shared::wire::SlotV2;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// Everything the widget is told by its host element, and what it finds in the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub api: Api,
    pub lang: Lang,
    /// The visitor's IANA zone.
    pub zone: String,
    /// The site's consent line, if it sets one.
    pub consent: Option<String>,
    /// A floating button in the corner of the page, rather than in place.
    pub floating: bool,
    /// The manage page's address (`https://host/manage.html`).
    pub manage_page: String,
}

impl Settings {
    fn t(&self) -> &'static Texts {
        self.lang.texts()
    }

    fn when(&self, utc: &str, style: Style) -> String {
        browser::format(utc, self.lang.tag(), &self.zone, style)
    }
}

/// How long the slot picker looks ahead.
const DAYS_AHEAD: usize = 14;
/// The most slots one availability answer holds (the API's cap).
const MAX_SLOTS: usize = 1000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Step {
    #[default]
    Form,
    Slots,
    Done {
        id: String,
        at: Option<String>,
    },
}

/// The slot picker's state, shared by the dialog and the manage view.
#[derive(Debug, Clone, Default)]
struct Picker {
    days: Option<Result<Vec<Day>, Problem>>,
    wanted: usize,
    chosen: Option<SlotV2>,
}

impl Picker {
    fn shown(&self) -> Option<usize> {
        match &self.days {
            Some(Ok(days)) => model::day_to_show(days, self.wanted),
            _ => None,
        }
    }
}

/// The dialog's whole state.
#[derive(Debug, Clone, Default)]
struct Ui {
    open: bool,
    step: Step,
    busy: bool,
    status: &'static str,
    problem: Option<Problem>,
    number_invalid: bool,
    /// Open now, estimated wait (s), the business's zone.
    offer: Option<(bool, u32, String)>,
    picker: Picker,
    /// The last request sent (`None` = now), for "try again".
    attempt: Option<Option<String>>,
}

/// What the visitor typed: outside the reactive state, so typing renders nothing.
#[derive(Debug, Clone, Default)]
struct Fields {
    name: String,
    number: String,
    country: String,
    reason: String,
}

/// Handles to everything a view's actions touch (all `Copy`).
#[derive(Clone, Copy)]
struct Ctx {
    s: StoredValue<Settings>,
    ui: RwSignal<Ui>,
    fields: StoredValue<Fields>,
    root: StoredValue<web_sys::HtmlElement, LocalStorage>,
}

fn data_k(el: &web_sys::Element) -> Option<String> {
    el.get_attribute("data-k")
}

impl Ctx {
    fn t(&self) -> &'static Texts {
        self.s.with_value(Settings::t)
    }

    /// Changes the state, then puts focus back where it was; else on the first control of the
    /// dialog's body (a new step, or the dialog just opened) that is a tab stop; on an alert that
    /// appeared first.
    fn act(&self, change: impl FnOnce(&mut Ui)) {
        let root = self.root.get_value();
        let key = browser::active_element(&root)
            .and_then(|a| a.dyn_into::<web_sys::Element>().ok())
            .and_then(|a| data_k(&a));
        let had_problem = self.ui.with_untracked(|u| u.problem.is_some());
        self.ui.update(change);
        let has_problem = self.ui.with_untracked(|u| u.problem.is_some());
        request_animation_frame(move || {
            let find = |selector: &str| root.query_selector(selector).ok().flatten();
            let target = if has_problem && !had_problem {
                find(".cb-problem")
            } else {
                None
            }
            .or_else(|| {
                key.as_ref()
                    .and_then(|k| find(&format!("[data-k=\"{k}\"]")))
            })
            .or_else(|| find(".cb-body [data-k]:not([tabindex='-1'])"));
            if let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
            }
        });
    }

    fn policy(&self) -> PhonePolicy {
        let country = self
            .fields
            .with_value(|f| Country::from_iso(&f.country))
            .unwrap_or(Country::all()[0]);
        PhonePolicy {
            default_country: country,
            disallow_impossible: true,
            disallow_premium: true,
        }
    }

    fn number(&self) -> Option<String> {
        phone::normalize(
            &self.fields.with_value(|f| f.number.clone()),
            &self.policy(),
        )
        .ok()
    }

    fn open(self) {
        self.act(|u| {
            *u = Ui {
                open: true,
                ..Ui::default()
            }
        });
        let api = self.s.with_value(|s| s.api.clone());
        spawn_local(async move {
            match api.offer().await {
                Ok(o) => self
                    .ui
                    .update(|u| u.offer = Some((o.open, o.ewt, o.timezone))),
                Err(p @ Problem::SiteNotAllowed(_)) => self.act(|u| u.problem = Some(p)),
                Err(_) => {}
            }
        });
    }

    fn close(self) {
        self.ui.update(|u| u.open = false);
        // The launcher is not part of the dialog: it can take focus at once.
        let launcher = self
            .root
            .with_value(|r| r.query_selector(".cb-launcher").ok().flatten());
        if let Some(b) = launcher.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = b.focus();
        }
    }

    /// Sends the request: now (`None`) or at a slot's UTC time.
    fn send(self, at: Option<String>) {
        let Some(number) = self.number() else {
            self.act(|u| {
                u.number_invalid = true;
                u.step = Step::Form;
            });
            return;
        };
        let mut params: Vec<(&str, String)> = vec![("_customer_number", number)];
        self.fields.with_value(|f| {
            for (key, value) in [("first_name", &f.name), ("reason", &f.reason)] {
                if !value.trim().is_empty() {
                    params.push((key, value.trim().to_string()));
                }
            }
        });
        if let Some(at) = &at {
            params.push(("_desired_time", at.clone()));
        }
        let t = self.t();
        self.act(|u| {
            u.attempt = Some(at.clone());
            u.busy = true;
            u.problem = None;
            u.status = t.sending;
        });
        let api = self.s.with_value(|s| s.api.clone());
        spawn_local(async move {
            let result = api.create(&params).await;
            self.act(|u| {
                u.busy = false;
                u.status = "";
                match result {
                    Ok(id) => u.step = Step::Done { id, at },
                    Err(p) => u.problem = Some(p),
                }
            });
        });
    }

    fn choose_time(self) {
        if self.number().is_none() {
            self.act(|u| u.number_invalid = true);
            return;
        }
        let t = self.t();
        self.act(|u| {
            u.number_invalid = false;
            u.problem = None;
            u.busy = true;
            u.status = t.loading;
        });
        // The picker opens once the times are there, focus on its first tab stop: the chosen day.
        self.load_slots(move |picker| {
            self.act(|u| {
                u.busy = false;
                u.status = "";
                u.step = Step::Slots;
                u.picker = picker;
            })
        });
    }

    /// Loads the free slots of the coming days into a fresh picker.
    fn load_slots(&self, done: impl FnOnce(Picker) + 'static) {
        let (api, zone) = self.s.with_value(|s| (s.api.clone(), s.zone.clone()));
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
}

/// An input that keeps its value in `Fields` (rendering again restores it).
fn text_input(
    c: Ctx,
    key: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    value: String,
    set: fn(&mut Fields, String),
) -> AnyView {
    view! { <input data-k=key type=kind autocomplete=autocomplete value=value on:input=move |ev| c.fields.update_value(|f| set(f, event_target_value(&ev))) /> }.into_any()
}

/// The "Call me back" button and its dialog.
pub fn widget(settings: Settings, root: web_sys::HtmlElement) -> impl IntoView {
    let t = settings.t();
    let floating = settings.floating;
    let country = model::country_of_locale(&browser::language())
        .iso
        .to_string();
    let c = Ctx {
        s: StoredValue::new(settings),
        ui: RwSignal::new(Ui::default()),
        fields: StoredValue::new(Fields {
            country,
            ..Fields::default()
        }),
        root: StoredValue::new_local(root),
    };
    view! {
        <div class=if floating { "cb cb-floating" } else { "cb" }>
            <button type="button" class="cb-launcher" aria-haspopup="dialog" on:click=move |_| c.open()>{t.launcher}</button>
            {move || c.ui.with(|u| if u.open { dialog(c, u) } else { ().into_any() })}
        </div>
    }
}

fn dialog(c: Ctx, u: &Ui) -> AnyView {
    let t = c.t();
    let on_key = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "Escape" => c.close(),
        "Tab" => {
            if let Some(d) = ev
                .current_target()
                .and_then(|d| d.dyn_into::<web_sys::Element>().ok())
            {
                browser::trap_tab(&d, &ev);
            }
        }
        _ => {}
    };
    let body = match &u.step {
        // Nothing here can work: the problem says so, for the visitor.
        _ if matches!(u.problem, Some(Problem::SiteNotAllowed(_))) => ().into_any(),
        Step::Form => form(c, u),
        Step::Slots => view! {
            {picker(c, &u.picker, u.busy, move |slot| c.send(Some(slot)), move |change| c.act(|u| change(&mut u.picker)))}
            <button type="button" class="cb-link" data-k="back" on:click=move |_| c.act(|u| { u.problem = None; u.step = Step::Form })>{t.back}</button>
        }
        .into_any(),
        Step::Done { id, at } => confirmation(c, id, at.as_deref(), u.offer.as_ref().map(|o| o.2.as_str())),
    };
    view! {
        <div class="cb-backdrop">
            <div class="cb-dialog" role="dialog" aria-modal="true" aria-labelledby="cb-title" on:keydown=on_key>
                <div class="cb-head">
                    <h2 id="cb-title">{t.title}</h2>
                    <button type="button" class="cb-close" data-k="close" aria-label=t.close on:click=move |_| c.close()>"×"</button>
                </div>
                <p class="cb-status" role="status" aria-live="polite">{u.status}</p>
                {u.problem.clone().map(|p| problem(c, p))}
                <div class="cb-body">{body}</div>
            </div>
        </div>
    }
    .into_any()
}

fn form(c: Ctx, u: &Ui) -> AnyView {
    let t = c.t();
    let f = c.fields.get_value();
    let consent =
        c.s.with_value(|s| s.consent.clone())
            .unwrap_or_else(|| t.consent.to_string());
    let countries = Country::all()
        .iter()
        .map(|k| view! { <option value=k.iso selected=f.country == k.iso>{format!("{} +{}", k.iso, k.calling_code)}</option> })
        .collect_view();
    let now = match &u.offer {
        Some((true, ewt, _)) => {
            let wait = if *ewt == 0 {
                t.no_wait.to_string()
            } else {
                fill(t.wait, &[&ewt.div_ceil(60).to_string()])
            };
            view! { <button type="submit" class="cb-primary" data-k="now" disabled=u.busy>{t.call_now}</button><span class="cb-wait">{wait}</span> }.into_any()
        }
        Some(_) => view! { <span class="cb-wait">{t.closed_now}</span> }.into_any(),
        None => ().into_any(),
    };
    let invalid = if u.number_invalid { "true" } else { "false" };
    view! {
        <form class="cb-form" on:submit=move |ev| { ev.prevent_default(); c.send(None) }>
            <label>{t.name}{text_input(c, "name", "text", "name", f.name, |f, v| f.name = v)}</label>
            <div class="cb-phone">
                <label>{t.country}
                    <select data-k="country" on:change=move |ev| c.fields.update_value(|f| f.country = event_target_value(&ev))>{countries}</select>
                </label>
                <label>{t.phone}
                    <input data-k="number" type="tel" autocomplete="tel" required aria-describedby="cb-number-error" aria-invalid=invalid value=f.number
                        on:input=move |ev| c.fields.update_value(|f| f.number = event_target_value(&ev)) />
                </label>
            </div>
            <p id="cb-number-error" class="cb-error">{u.number_invalid.then_some(t.invalid)}</p>
            <label>{t.reason}<textarea data-k="reason" rows="2" prop:value=f.reason on:input=move |ev| c.fields.update_value(|f| f.reason = event_target_value(&ev))></textarea></label>
            <p class="cb-consent">{consent}</p>
            <div class="cb-actions">
                {now}
                <button type="button" class="cb-secondary" data-k="choose" disabled=u.busy on:click=move |_| c.choose_time()>{t.choose_time}</button>
            </div>
        </form>
    }
    .into_any()
}

fn problem(c: Ctx, p: Problem) -> AnyView {
    let t = c.t();
    let body = match p {
        Problem::Taken(alternatives) => {
            let buttons = alternatives
                .into_iter()
                .enumerate()
                .map(|(i, utc)| {
                    let label = c.s.with_value(|s| s.when(&utc, Style::Moment));
                    view! { <li><button type="button" class="cb-slot" data-k=format!("alt-{i}") on:click=move |_| c.send(Some(utc.clone()))>{label}</button></li> }
                })
                .collect_view();
            view! { <p>{t.taken}</p><ul class="cb-alternatives" aria-label=t.alternatives>{buttons}</ul> }.into_any()
        }
        Problem::Network => view! {
            <p>{t.network}</p>
            <button type="button" class="cb-secondary" data-k="retry" on:click=move |_| { if let Some(at) = c.ui.with_untracked(|u| u.attempt.clone()) { c.send(at) } }>{t.retry}</button>
        }
        .into_any(),
        other => {
            let text = match other {
                Problem::Limit => t.limit.to_string(),
                Problem::TooMany(secs) => fill(t.too_many, &[&secs.to_string()]),
                Problem::Invalid(_) => t.invalid.to_string(),
                Problem::NotFound => t.not_found.to_string(),
                Problem::SiteNotAllowed(_) => t.site_not_allowed.to_string(),
                Problem::Other(message) => message,
                Problem::Taken(_) | Problem::Network => String::new(),
            };
            view! { <p>{text}</p> }.into_any()
        }
    };
    view! { <div class="cb-problem" role="alert" tabindex="-1">{body}</div> }.into_any()
}

/// Days, then the chosen day's free times by part of the day. Each list is one tab stop (its
/// selected option's); arrow keys, Home and End move through its options, picking them as they go
/// (the WAI-ARIA listbox pattern, selection following focus: `widget/web/shadow.js` handles the
/// keys for every list in the shadow root). A day without free times says so and shows the next
/// day that has some.
fn picker(
    c: Ctx,
    p: &Picker,
    busy: bool,
    on_pick: impl Fn(String) + Copy + 'static,
    change: impl Fn(fn_box::Change) + Copy + 'static,
) -> AnyView {
    let t = c.t();
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
    let lang = c.s.with_value(|s| s.lang.tag());
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
                        c.s.with_value(|s| s.when(&slot.utc_time, Style::Time)),
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

/// Picker changes as plain function pointers: one closure type for every day and slot button.
mod fn_box {
    use super::Picker;
    use callback_shared::wire::SlotV2;

    pub type Change = Box<dyn FnOnce(&mut Picker)>;

    pub fn day(i: usize) -> Change {
        Box::new(move |p| {
            p.wanted = i;
            p.chosen = None;
        })
    }

    pub fn slot(slot: SlotV2) -> Change {
        Box::new(move |p| p.chosen = Some(slot))
    }
}

/// The booked callback: when (the visitor's time, and the business's when different), a
/// reference, a calendar file and the manage link.
fn confirmation(c: Ctx, id: &str, at: Option<&str>, business_zone: Option<&str>) -> AnyView {
    let t = c.t();
    let s = c.s.get_value();
    let lang = s.lang.tag();
    let reference = model::reference(id);
    let manage = format!(
        "{}?id={}&lang={lang}",
        s.manage_page,
        js_sys::encode_uri_component(id)
    );
    let when = match at {
        None => t.done_now.to_string(),
        Some(utc) => {
            let mut text = fill(t.done_at, &[&s.when(utc, Style::Moment)]);
            if let Some(zone) = business_zone.filter(|z| *z != s.zone) {
                text.push(' ');
                text.push_str(&fill(
                    t.business_time,
                    &[&browser::format(utc, lang, zone, Style::Time), zone],
                ));
            }
            text
        }
    };
    let calendar = at.map(|utc| {
        let text = model::ics(id, utc, &browser::plus_minutes(utc, 15), t.calendar_title, &format!("{} {reference}", t.calendar_title), &browser::now_iso());
        view! { <button type="button" class="cb-secondary" data-k="calendar" on:click=move |_| browser::download("callback.ics", &text, "text/calendar")>{t.add_calendar}</button> }
    });
    view! {
        <div class="cb-done" role="status">
            <p class="cb-when">{when}</p>
            <p>{t.reference}": "<strong class="cb-reference">{reference}</strong></p>
            <div class="cb-actions">{calendar}<a class="cb-link" data-k="manage" href=manage target="_blank" rel="noopener">{t.manage}</a></div>
        </div>
    }
    .into_any()
}

#[cfg(feature = "manage")]
/// The manage view's state.
#[derive(Debug, Clone, Default)]
struct Managed {
    record: Option<Result<Json, Problem>>,
    message: &'static str,
    busy: bool,
    picker: Option<Picker>,
}

#[cfg(feature = "manage")]
/// The manage page: the callback's status, cancel, and another time.
pub fn manage(settings: Settings, root: web_sys::HtmlElement, id: String) -> impl IntoView {
    let api = settings.api.for_id(&id);
    let c = Ctx {
        s: StoredValue::new(Settings {
            api: api.clone(),
            ..settings
        }),
        ui: RwSignal::new(Ui::default()),
        fields: StoredValue::new(Fields::default()),
        root: StoredValue::new_local(root),
    };
    let state = RwSignal::new(Managed::default());
    let id = StoredValue::new(id);
    let read = move || {
        let api = c.s.with_value(|s| s.api.clone());
        spawn_local(async move {
            let record = api.get(&id.get_value()).await;
            state.update(|m| m.record = Some(record));
        });
    };
    read();
    // While the callback waits or is under way, its state is read again: an agent may become
    // ready and ask the customer to confirm. Not while the visitor picks another time.
    let ticker = set_interval_with_handle(
        move || {
            let waiting = state.with_untracked(|m| m.picker.is_none() && !m.busy && matches!(&m.record, Some(Ok(r)) if matches!(r.text("_callback_state").as_str(), "QUEUED" | "ROUTING")));
            if waiting {
                read();
            }
        },
        std::time::Duration::from_secs(5),
    );
    if let Ok(ticker) = ticker {
        on_cleanup(move || ticker.clear());
    }
    let confirm = move || {
        let api = c.s.with_value(|s| s.api.clone());
        state.update(|m| m.busy = true);
        spawn_local(async move {
            let result = api.confirm(&id.get_value()).await;
            state.update(|m| {
                m.busy = false;
                match result {
                    Ok(r) => m.record = Some(Ok(r)),
                    Err(Problem::Network) => m.message = c.t().network,
                    Err(_) => m.message = c.t().not_found,
                }
            });
        });
    };
    let act = move |cancel: bool, at: Option<String>| {
        let t = c.t();
        let api = c.s.with_value(|s| s.api.clone());
        state.update(|m| m.busy = true);
        spawn_local(async move {
            let id = id.get_value();
            let result = if cancel {
                api.cancel(&id).await
            } else {
                api.reschedule(&id, at.as_deref().unwrap_or_default()).await
            };
            state.update(|m| {
                m.busy = false;
                match result {
                    Ok(r) => {
                        m.message = if cancel { t.cancelled } else { t.rescheduled };
                        m.picker = None;
                        m.record = Some(Ok(r));
                    }
                    Err(Problem::Taken(_)) => m.message = t.taken,
                    Err(Problem::Network) => m.message = t.network,
                    Err(_) => m.message = t.not_found,
                }
            });
        });
    };
    let t = c.t();
    view! {
        <section class="cb-manage" aria-labelledby="cb-manage-title">
            <h2 id="cb-manage-title">{t.manage_title}</h2>
            {move || state.with(|m| {
                let body = match &m.record {
                    None => view! { <p>{t.loading}</p> }.into_any(),
                    Some(Err(Problem::Network)) => view! { <p role="alert">{t.network}</p> }.into_any(),
                    Some(Err(_)) => view! { <p role="alert">{t.not_found}</p> }.into_any(),
                    Some(Ok(r)) => {
                        let open = matches!(r.text("_callback_state").as_str(), "SCHEDULED" | "QUEUED");
                        let when = c.s.with_value(|s| s.when(&r.text("_desired_time"), Style::Moment));
                        let buttons = open.then(|| view! {
                            <div class="cb-actions">
                                <button type="button" class="cb-secondary" disabled=m.busy on:click=move |_| act(true, None)>{t.cancel}</button>
                                <button type="button" class="cb-secondary" disabled=m.busy on:click=move |_| {
                                    state.update(|m| m.picker = Some(Picker::default()));
                                    c.load_slots(move |p| state.update(|m| m.picker = Some(p)));
                                }>{t.reschedule}</button>
                            </div>
                        });
                        let ask = (r.text("_phase") == "confirming").then(|| view! {
                            <div class="cb-confirm" role="alert">
                                <p>{t.confirm_prompt}</p>
                                <button type="button" class="cb-primary" disabled=m.busy on:click=move |_| confirm()>{t.confirm}</button>
                            </div>
                        });
                        let access = r.text("_access_number");
                        let dial = (!access.is_empty() && r.text("_callback_state") == "ROUTING").then(|| {
                            let code = r.text("_access_code");
                            view! {
                                <p class="cb-dial">{t.call_us}" "<a href=format!("tel:{access}")>{access.clone()}</a></p>
                                {(!code.is_empty()).then(|| view! { <p>{t.code}": "<strong>{code}</strong></p> })}
                            }
                        });
                        let chooser = m.picker.as_ref().map(|p| picker(c, p, m.busy, move |slot| act(false, Some(slot)), move |change| state.update(|m| {
                            if let Some(p) = m.picker.as_mut() { change(p) }
                        })));
                        view! {
                            <dl>
                                <dt>{t.status}</dt><dd class="cb-state">{state_text(t, r)}</dd>
                                <dt>{t.reference}</dt><dd>{model::reference(&id.get_value())}</dd>
                            </dl>
                            <p class="cb-when">{when}</p>
                            {ask}
                            {dial}
                            {buttons}
                            {chooser}
                        }
                        .into_any()
                    }
                };
                view! { <p class="cb-status" role="status" aria-live="polite">{m.message}</p>{body} }
            })}
        </section>
    }
}

#[cfg(feature = "manage")]
fn state_text(t: &'static Texts, record: &Json) -> &'static str {
    match (
        record.text("_callback_state").as_str(),
        record.text("_callback_reason").as_str(),
    ) {
        ("SCHEDULED", _) => t.state_scheduled,
        ("QUEUED" | "PAUSED", _) => t.state_waiting,
        ("ROUTING" | "PROCESSING", _) => t.state_calling,
        (_, "CANCELLED" | "CANCELLED_BY_ADMIN") => t.state_cancelled,
        _ => t.state_done,
    }
}
