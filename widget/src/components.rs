//! The widget's components: thin views over `model`, `api` and `browser`.

use crate::api::{Api, Json};
use crate::browser::{self, Style};
use crate::i18n::{fill, Lang, Texts};
use crate::model::{self, Day, Problem};
use callback_shared::phone::{self, Country, PhonePolicy};
use callback_shared::wire::{OfferAnswer, SlotV2};
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
    /// A floating button in the corner of the page, rather than in place.
    pub floating: bool,
    /// The manage page's address (`https://host/manage.html`).
    pub manage_page: String,
}

impl Settings {
    fn texts(&self) -> &'static Texts {
        self.lang.texts()
    }

    fn when(&self, utc: &str, style: Style) -> String {
        browser::format(utc, self.lang.tag(), &self.zone, style)
    }
}

/// How long the slot picker looks ahead.
const DAYS_AHEAD: u32 = 14;

/// The "Call me back" button and its dialog.
#[component]
pub fn Widget(settings: Settings) -> impl IntoView {
    let t = settings.texts();
    let open = RwSignal::new(false);
    let launcher = NodeRef::<leptos::html::Button>::new();
    let close = Callback::new(move |_: ()| {
        open.set(false);
        if let Some(button) = launcher.get_untracked() {
            let _ = button.focus();
        }
    });
    let floating = settings.floating;
    let settings = StoredValue::new(settings);
    view! {
        <div class="cb" class:cb-floating=floating>
            <button type="button" class="cb-launcher" node_ref=launcher aria-haspopup="dialog"
                aria-expanded=move || if open.get() { "true" } else { "false" } on:click=move |_| open.set(true)>
                {t.launcher}
            </button>
            <Show when=move || open.get()>
                <Dialog settings=settings.get_value() on_close=close />
            </Show>
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Form,
    Slots,
    Done { id: String, at: Option<String> },
}

/// The request dialog: form, then a time, then the confirmation. Escape closes it; Tab stays in it.
#[component]
fn Dialog(settings: Settings, on_close: Callback<()>) -> impl IntoView {
    let t = settings.texts();
    let step = RwSignal::new(Step::Form);
    let name = RwSignal::new(String::new());
    let number = RwSignal::new(String::new());
    let country = RwSignal::new(model::country_of_locale(&browser::language()).iso.to_string());
    let reason = RwSignal::new(String::new());
    let number_error = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let status = RwSignal::new(String::new());
    let offer = RwSignal::new(None::<OfferAnswer>);
    let attempt = StoredValue::new(None::<Option<String>>);
    let dialog = NodeRef::<leptos::html::Div>::new();
    let first_field = NodeRef::<leptos::html::Input>::new();
    let s = StoredValue::new(settings);

    spawn_local({
        let api = s.with_value(|s| s.api.clone());
        async move {
            if let Ok(o) = api.offer().await {
                offer.set(Some(o));
            }
        }
    });
    Effect::new(move |_| {
        if let Some(input) = first_field.get() {
            let _ = input.focus();
        }
    });

    // Sends the request: now (`None`) or at a slot's UTC time.
    let send = move |at: Option<String>| {
        let country_code = country.get_untracked();
        let policy = PhonePolicy { default_country: Country::from_iso(&country_code).unwrap_or(Country::all()[0]), disallow_impossible: true, disallow_premium: true };
        let e164 = match phone::normalize(&number.get_untracked(), &policy) {
            Ok(n) => n,
            Err(_) => {
                number_error.set(Some(t.invalid.to_string()));
                step.set(Step::Form);
                return;
            }
        };
        number_error.set(None);
        let mut params: Vec<(&str, String)> = vec![("_customer_number", e164)];
        for (key, value) in [("first_name", name.get_untracked()), ("reason", reason.get_untracked())] {
            if !value.trim().is_empty() {
                params.push((key, value.trim().to_string()));
            }
        }
        if let Some(at) = &at {
            params.push(("_desired_time", at.clone()));
        }
        attempt.set_value(Some(at.clone()));
        busy.set(true);
        problem.set(None);
        status.set(t.sending.to_string());
        let api = s.with_value(|s| s.api.clone());
        spawn_local(async move {
            let result = api.create(&params).await;
            busy.set(false);
            match result {
                Ok(id) => {
                    status.set(String::new());
                    step.set(Step::Done { id, at });
                }
                Err(p) => {
                    status.set(String::new());
                    problem.set(Some(p));
                }
            }
        });
    };

    let on_key = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "Escape" => on_close.run(()),
        "Tab" => {
            if let Some(d) = dialog.get_untracked() {
                browser::trap_tab(&d, &ev);
            }
        }
        _ => {}
    };
    let retry = move |_| {
        if let Some(at) = attempt.get_value() {
            send(at);
        }
    };

    let form = move || {
        let consent = s.with_value(|s| s.consent.clone()).unwrap_or_else(|| t.consent.to_string());
        let countries = Country::all().iter().map(|c| view! { <option value=c.iso selected=move || country.get() == c.iso>{format!("{} +{}", c.iso, c.calling_code)}</option> }).collect_view();
        view! {
            <form class="cb-form" on:submit=move |ev| { ev.prevent_default(); send(None); }>
                <label>{t.name}<input node_ref=first_field type="text" autocomplete="name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <div class="cb-phone">
                    <label class="cb-country">{t.country}
                        <select on:change=move |ev| country.set(event_target_value(&ev))>{countries}</select>
                    </label>
                    <label>{t.phone}
                        <input type="tel" autocomplete="tel" required aria-describedby="cb-number-error"
                            aria-invalid=move || if number_error.get().is_some() { "true" } else { "false" }
                            prop:value=number on:input=move |ev| number.set(event_target_value(&ev)) />
                    </label>
                </div>
                <p id="cb-number-error" class="cb-error">{move || number_error.get()}</p>
                <label>{t.reason}<textarea rows="2" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))></textarea></label>
                <p class="cb-consent">{consent}</p>
                <div class="cb-actions">
                    {move || match offer.get() {
                        Some(o) if o.open => view! {
                            <button type="submit" class="cb-primary" disabled=move || busy.get()>{t.call_now}</button>
                            <span class="cb-wait">{fill(t.wait, &[&o.ewt.div_ceil(60).to_string()])}</span>
                        }.into_any(),
                        Some(_) => view! { <span class="cb-wait">{t.closed_now}</span> }.into_any(),
                        None => ().into_any(),
                    }}
                    <button type="button" class="cb-secondary" disabled=move || busy.get() on:click=move |_| {
                        let e164 = Country::from_iso(&country.get_untracked()).map(|c| phone::normalize(&number.get_untracked(), &PhonePolicy { default_country: c, disallow_impossible: true, disallow_premium: true }));
                        if matches!(e164, Some(Ok(_))) { number_error.set(None); step.set(Step::Slots); } else { number_error.set(Some(t.invalid.to_string())); }
                    }>{t.choose_time}</button>
                </div>
            </form>
        }
    };

    let problem_view = move || {
        problem.get().map(|p| {
            let taken = |alternatives: Vec<String>| {
                let buttons = alternatives.into_iter().map(|utc| {
                    let label = s.with_value(|s| s.when(&utc, Style::Moment));
                    view! { <li><button type="button" class="cb-slot" on:click=move |_| send(Some(utc.clone()))>{label}</button></li> }
                }).collect_view();
                view! { <p>{t.taken}</p><ul class="cb-alternatives" aria-label=t.alternatives>{buttons}</ul> }.into_any()
            };
            let body = match p {
                Problem::Taken(alternatives) => taken(alternatives),
                Problem::Limit => view! { <p>{t.limit}</p> }.into_any(),
                Problem::TooMany(secs) => view! { <p>{fill(t.too_many, &[&secs.to_string()])}</p> }.into_any(),
                Problem::Network => view! { <p>{t.network}</p><button type="button" class="cb-secondary" on:click=retry>{t.retry}</button> }.into_any(),
                Problem::Invalid(_) => view! { <p>{t.invalid}</p> }.into_any(),
                Problem::NotFound => view! { <p>{t.not_found}</p> }.into_any(),
                Problem::Other(message) => view! { <p>{message}</p> }.into_any(),
            };
            view! { <div class="cb-problem" role="alert">{body}</div> }
        })
    };

    view! {
        <div class="cb-backdrop">
            <div class="cb-dialog" role="dialog" aria-modal="true" aria-labelledby="cb-title" node_ref=dialog on:keydown=on_key>
                <div class="cb-head">
                    <h2 id="cb-title">{t.title}</h2>
                    <button type="button" class="cb-close" aria-label=t.close on:click=move |_| on_close.run(())>"×"</button>
                </div>
                <p class="cb-status" role="status" aria-live="polite">{move || status.get()}</p>
                {problem_view}
                {move || match step.get() {
                    Step::Form => form().into_any(),
                    Step::Slots => view! {
                        <SlotPicker settings=s.get_value() busy=busy.into() on_pick=Callback::new(move |slot: SlotV2| send(Some(slot.utc_time))) />
                        <button type="button" class="cb-link" on:click=move |_| { problem.set(None); step.set(Step::Form) }>{t.back}</button>
                    }.into_any(),
                    Step::Done { id, at } => view! {
                        <Confirmation settings=s.get_value() id=id at=at business_zone=offer.get_untracked().map(|o| o.timezone) />
                    }.into_any(),
                }}
            </div>
        </div>
    }
}

/// Days, then the free times of the chosen day; a day without free times says so and shows the
/// next day that has some.
#[component]
fn SlotPicker(settings: Settings, busy: Signal<bool>, on_pick: Callback<SlotV2>) -> impl IntoView {
    let t = settings.texts();
    let days = RwSignal::new(None::<Result<Vec<Day>, Problem>>);
    let wanted = RwSignal::new(0usize);
    let chosen = RwSignal::new(None::<SlotV2>);
    let s = StoredValue::new(settings);
    spawn_local({
        let (api, zone) = s.with_value(|s| (s.api.clone(), s.zone.clone()));
        async move {
            let answer = api.availability(&zone, DAYS_AHEAD).await;
            days.set(Some(answer.map(|a| model::days(browser::today(&zone), DAYS_AHEAD as usize, &a.slots))));
        }
    });
    let shown = move || days.with(|d| match d {
        Some(Ok(d)) => model::day_to_show(d, wanted.get()),
        _ => None,
    });
    move || match days.get() {
        None => view! { <p class="cb-loading">{t.loading}</p> }.into_any(),
        Some(Err(_)) => view! { <p class="cb-problem" role="alert">{t.network}</p> }.into_any(),
        Some(Ok(list)) if list.iter().all(|d| d.slots.is_empty()) => view! { <p>{t.no_slots}</p> }.into_any(),
        Some(Ok(list)) => {
            let lang = s.with_value(|s| s.lang.tag());
            let list = StoredValue::new(list);
            let day_buttons = (0..list.with_value(|l| l.len())).map(|i| {
                let (label, empty) = list.with_value(|l| (browser::day_label(l[i].date, lang), l[i].slots.is_empty()));
                view! {
                    <li><button type="button" class="cb-day" class:cb-empty=empty aria-pressed=move || if shown() == Some(i) { "true" } else { "false" }
                        on:click=move |_| { wanted.set(i); chosen.set(None); }>{label}</button></li>
                }
            }).collect_view();
            let notice = move || {
                let (w, sh) = (wanted.get(), shown());
                let text = match sh {
                    Some(sh) if sh != w => {
                        let (a, b) = list.with_value(|l| (browser::day_label(l[w].date, lang), browser::day_label(l[sh].date, lang)));
                        Some(fill(t.no_slots_day, &[&a, &b]))
                    }
                    None => Some(t.no_slots.to_string()),
                    _ => None,
                };
                text.map(|text| view! { <p class="cb-notice">{text}</p> })
            };
            let times = move || {
                let slots = shown().map(|i| list.with_value(|l| l[i].slots.clone())).unwrap_or_default();
                slots.into_iter().map(|slot| {
                    let label = s.with_value(|s| s.when(&slot.utc_time, Style::Time));
                    let utc = slot.utc_time.clone();
                    let pressed = move || if chosen.with(|c| c.as_ref().is_some_and(|c| c.utc_time == utc)) { "true" } else { "false" };
                    view! { <li><button type="button" class="cb-slot" aria-pressed=pressed on:click=move |_| chosen.set(Some(slot.clone()))>{label}</button></li> }
                }).collect_view()
            };
            view! {
                <fieldset class="cb-days"><legend>{t.days}</legend><ul>{day_buttons}</ul></fieldset>
                {notice}
                <fieldset class="cb-times"><legend>{t.times}</legend><ul>{times}</ul></fieldset>
                <button type="button" class="cb-primary" disabled=move || busy.get() || chosen.get().is_none()
                    on:click=move |_| { if let Some(slot) = chosen.get_untracked() { on_pick.run(slot) } }>{t.book}</button>
            }.into_any()
        }
    }
}

/// The booked callback: when (the visitor's time, and the business's when different), a
/// reference, a calendar file and the manage link.
#[component]
fn Confirmation(settings: Settings, id: String, at: Option<String>, business_zone: Option<String>) -> impl IntoView {
    let t = settings.texts();
    let lang = settings.lang.tag();
    let reference = model::reference(&id);
    let manage = format!("{}?id={}&lang={lang}", settings.manage_page, js_sys::encode_uri_component(&id));
    let when = match &at {
        None => t.done_now.to_string(),
        Some(utc) => {
            let mut text = fill(t.done_at, &[&settings.when(utc, Style::Moment)]);
            if let Some(zone) = business_zone.filter(|z| *z != settings.zone) {
                text.push(' ');
                text.push_str(&fill(t.business_time, &[&browser::format(utc, lang, &zone, Style::Time), &zone]));
            }
            text
        }
    };
    let calendar = at.map(|utc| {
        let (id, reference, title) = (id.clone(), reference.clone(), t.calendar_title);
        view! {
            <button type="button" class="cb-secondary" on:click=move |_| {
                let text = model::ics(&id, &utc, &browser::plus_minutes(&utc, 15), title, &format!("{title} {reference}"), &browser::now_iso());
                browser::download("callback.ics", &text, "text/calendar");
            }>{t.add_calendar}</button>
        }
    });
    view! {
        <div class="cb-done" role="status">
            <p class="cb-when">{when}</p>
            <p>{t.reference}": "<strong class="cb-reference">{reference}</strong></p>
            <div class="cb-actions">{calendar}<a class="cb-link" href=manage target="_blank" rel="noopener">{t.manage}</a></div>
        </div>
    }
}

fn state_text(t: &'static Texts, record: &Json) -> &'static str {
    match (record.text("_callback_state").as_str(), record.text("_callback_reason").as_str()) {
        ("SCHEDULED", _) => t.state_scheduled,
        ("QUEUED" | "PAUSED", _) => t.state_waiting,
        ("ROUTING" | "PROCESSING", _) => t.state_calling,
        (_, "CANCELLED" | "CANCELLED_BY_ADMIN") => t.state_cancelled,
        _ => t.state_done,
    }
}

/// The manage page: the callback's status, cancel, and another time.
#[component]
pub fn Manage(settings: Settings, id: String) -> impl IntoView {
    let t = settings.texts();
    let record = RwSignal::new(None::<Result<Json, Problem>>);
    let message = RwSignal::new(String::new());
    let choosing = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let api = settings.api.for_id(&id);
    let s = StoredValue::new(Settings { api: api.clone(), ..settings });
    let id = StoredValue::new(id);
    spawn_local({
        let (api, id) = (api.clone(), id.get_value());
        async move { record.set(Some(api.get(&id).await)) }
    });
    let act = move |cancel: bool, at: Option<String>| {
        let (api, id) = (s.with_value(|s| s.api.clone()), id.get_value());
        busy.set(true);
        spawn_local(async move {
            let result = if cancel { api.cancel(&id).await } else { api.reschedule(&id, at.as_deref().unwrap_or_default()).await };
            busy.set(false);
            match result {
                Ok(r) => {
                    message.set(if cancel { t.cancelled } else { t.rescheduled }.to_string());
                    choosing.set(false);
                    record.set(Some(Ok(r)));
                }
                Err(Problem::Taken(_)) => message.set(t.taken.to_string()),
                Err(Problem::Network) => message.set(t.network.to_string()),
                Err(_) => message.set(t.not_found.to_string()),
            }
        });
    };
    view! {
        <section class="cb-manage" aria-labelledby="cb-manage-title">
            <h2 id="cb-manage-title">{t.title}</h2>
            <p class="cb-status" role="status" aria-live="polite">{move || message.get()}</p>
            {move || match record.get() {
                None => view! { <p>{t.loading}</p> }.into_any(),
                Some(Err(Problem::Network)) => view! { <p role="alert">{t.network}</p> }.into_any(),
                Some(Err(_)) => view! { <p role="alert">{t.not_found}</p> }.into_any(),
                Some(Ok(r)) => {
                    let open = matches!(r.text("_callback_state").as_str(), "SCHEDULED" | "QUEUED");
                    let when = s.with_value(|s| s.when(&r.text("_desired_time"), Style::Moment));
                    view! {
                        <dl>
                            <dt>{t.status}</dt><dd class="cb-state">{state_text(t, &r)}</dd>
                            <dt>{t.reference}</dt><dd>{model::reference(&id.get_value())}</dd>
                        </dl>
                        <p class="cb-when">{when}</p>
                        <Show when=move || open>
                            <div class="cb-actions">
                                <button type="button" class="cb-secondary" disabled=move || busy.get() on:click=move |_| act(true, None)>{t.cancel}</button>
                                <button type="button" class="cb-secondary" disabled=move || busy.get() on:click=move |_| choosing.set(true)>{t.reschedule}</button>
                            </div>
                        </Show>
                        <Show when=move || choosing.get()>
                            <SlotPicker settings=s.get_value() busy=busy.into() on_pick=Callback::new(move |slot: SlotV2| act(false, Some(slot.utc_time))) />
                        </Show>
                    }.into_any()
                }
            }}
        </section>
    }
}
