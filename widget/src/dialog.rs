//! The dialog: the "Call me back" button, the request form, the slot picker and the confirmation.

use crate::browser::{self, Style};
use crate::i18n::{fill, Texts};
use crate::model::{self, Dialog, Offer, Problem, Step};
use crate::view::{load_slots, picker, Settings};
use callback_shared::phone::{self, Country, PhonePolicy};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

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
    ui: RwSignal<Dialog>,
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
    fn act(&self, change: impl FnOnce(&mut Dialog)) {
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
        self.act(|u| *u = Dialog::opened());
        let api = self.s.with_value(|s| s.api.clone());
        spawn_local(async move {
            match api.offer().await {
                Ok(o) => self.ui.update(|u| {
                    u.offer = Some(Offer {
                        open: o.open,
                        wait_secs: o.ewt,
                        zone: o.timezone,
                    })
                }),
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
            self.act(|u| u.number_refused(true));
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
        // Texts to the customer give the time in their own zone.
        params.push(("_customer_time_zone", self.s.with_value(|s| s.zone.clone())));
        let t = self.t();
        self.act(|u| u.sending(at, t.sending));
        let api = self.s.with_value(|s| s.api.clone());
        spawn_local(async move {
            let result = api.create(&params).await;
            self.act(|u| u.sent(result));
        });
    }

    fn choose_time(self) {
        if self.number().is_none() {
            self.act(|u| u.number_refused(false));
            return;
        }
        let t = self.t();
        self.act(|u| u.waiting(t.loading));
        // The picker opens once the times are there, focus on its first tab stop: the chosen day.
        load_slots(self.s, move |picker| self.act(|u| u.slots_loaded(picker)));
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

/// The dialog of the "Call me back" button that the loader drew in `root` (`.cb-launcher`): the
/// button opens it from now on.
pub fn widget(settings: Settings, root: web_sys::HtmlElement) -> impl IntoView {
    let launcher = root.query_selector(".cb-launcher").ok().flatten();
    let country = model::country_of_locale(&browser::language())
        .iso
        .to_string();
    let c = Ctx {
        s: StoredValue::new(settings),
        ui: RwSignal::new(Dialog::default()),
        fields: StoredValue::new(Fields {
            country,
            ..Fields::default()
        }),
        root: StoredValue::new_local(root),
    };
    if let Some(launcher) = launcher {
        let open = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || c.open());
        let _ = launcher.add_event_listener_with_callback("click", open.as_ref().unchecked_ref());
        // The button lives as long as the page: so does its handler.
        open.forget();
    }
    move || {
        c.ui.with(|u| if u.open { dialog(c, u) } else { ().into_any() })
    }
}

fn dialog(c: Ctx, u: &Dialog) -> AnyView {
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
            {picker(c.s, &u.picker, u.busy, move |slot| c.send(Some(slot)), move |change| c.act(|u| change(&mut u.picker)))}
            <button type="button" class="cb-link" data-k="back" on:click=move |_| c.act(Dialog::back)>{t.back}</button>
        }
        .into_any(),
        Step::Done { id, at } => confirmation(c, id, at.as_deref(), u.offer.as_ref().map(|o| o.zone.as_str())),
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

fn form(c: Ctx, u: &Dialog) -> AnyView {
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
        Some(Offer {
            open: true,
            wait_secs,
            ..
        }) => {
            let wait = if *wait_secs == 0 {
                t.no_wait.to_string()
            } else {
                fill(t.wait, &[&wait_secs.div_ceil(60).to_string()])
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
