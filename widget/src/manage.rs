//! The manage page: the callback's status, cancel, another time, and the customer's confirmation.

use crate::api::Json;
use crate::browser::Style;
use crate::i18n::Texts;
use crate::model::{self, Managed, Outcome, Picker, Problem, Seen, Standing};
use crate::view::{load_slots, picker, Settings};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The record as the manage page reads it.
fn seen(answer: Result<Json, Problem>) -> Result<Seen, Problem> {
    answer.map(|r| Seen::read(|k| r.text(k)))
}

/// The manage page: the callback's status, cancel, and another time.
pub fn manage(settings: Settings, id: String) -> impl IntoView {
    let s = StoredValue::new(Settings {
        api: settings.api.for_id(&id),
        ..settings
    });
    let t = s.with_value(Settings::t);
    let state = RwSignal::new(Managed::default());
    let id = StoredValue::new(id);
    let read = move || {
        let api = s.with_value(|s| s.api.clone());
        spawn_local(async move {
            let record = seen(api.get(&id.get_value()).await);
            state.update(|m| m.loaded(record));
        });
    };
    read();
    // While the callback waits or is under way, its state is read again: an agent may become
    // ready and ask the customer to confirm. Not while the visitor picks another time.
    let ticker = set_interval_with_handle(
        move || {
            if state.with_untracked(Managed::polls) {
                read();
            }
        },
        std::time::Duration::from_secs(5),
    );
    if let Ok(ticker) = ticker {
        on_cleanup(move || ticker.clear());
    }
    let confirm = move || {
        let api = s.with_value(|s| s.api.clone());
        state.update(Managed::begin);
        spawn_local(async move {
            let answer = seen(api.confirm(&id.get_value()).await);
            state.update(|m| m.confirmed(answer));
        });
    };
    let act = move |cancel: bool, at: Option<String>| {
        let api = s.with_value(|s| s.api.clone());
        state.update(Managed::begin);
        spawn_local(async move {
            let id = id.get_value();
            let answer = if cancel {
                api.cancel(&id).await
            } else {
                api.reschedule(&id, at.as_deref().unwrap_or_default()).await
            };
            let answer = seen(answer);
            state.update(|m| m.acted(cancel, answer));
        });
    };
    view! {
        <section class="cb-manage" aria-labelledby="cb-manage-title">
            <h2 id="cb-manage-title">{t.manage_title}</h2>
            {move || state.with(|m| {
                let body = match &m.record {
                    None => view! { <p>{t.loading}</p> }.into_any(),
                    Some(Err(Problem::Network)) => view! { <p role="alert">{t.network}</p> }.into_any(),
                    Some(Err(_)) => view! { <p role="alert">{t.not_found}</p> }.into_any(),
                    Some(Ok(r)) => {
                        let status = r.status;
                        let when = s.with_value(|s| s.when(&r.desired_time, Style::Moment));
                        let buttons = status.can_change().then(|| view! {
                            <div class="cb-actions">
                                <button type="button" class="cb-secondary" disabled=m.busy on:click=move |_| act(true, None)>{t.cancel}</button>
                                <button type="button" class="cb-secondary" disabled=m.busy on:click=move |_| {
                                    state.update(|m| m.pick(Picker::default()));
                                    load_slots(s, move |p| state.update(|m| m.pick(p)));
                                }>{t.reschedule}</button>
                            </div>
                        });
                        // The chat's module (chat.js, loaded by manage.js) answers this button.
                        let chat = r.chat_start().map(|confirm| view! {
                            <div class="cb-confirm" role="alert">
                                <button type="button" class="cb-primary cb-start-chat" data-confirm=confirm.to_string()>
                                    {if confirm { t.chat_ready } else { t.chat_open }}
                                </button>
                            </div>
                        });
                        let ask = r.asks_confirmation().then(|| view! {
                            <div class="cb-confirm" role="alert">
                                <p>{t.confirm_prompt}</p>
                                <button type="button" class="cb-primary" disabled=m.busy on:click=move |_| confirm()>{t.confirm}</button>
                            </div>
                        });
                        let dial = r.dial().map(|(access, code)| {
                            let (access, code) = (access.to_string(), code.to_string());
                            view! {
                                <p class="cb-dial">{t.call_us}" "<a href=format!("tel:{access}")>{access.clone()}</a></p>
                                {(!code.is_empty()).then(|| view! { <p>{t.code}": "<strong>{code}</strong></p> })}
                            }
                        });
                        let chooser = m.picker.as_ref().map(|p| picker(s, p, m.busy, move |slot| act(false, Some(slot)), move |change| state.update(|m| {
                            if let Some(p) = m.picker.as_mut() { change(p) }
                        })));
                        view! {
                            <dl>
                                <dt>{t.status}</dt><dd class="cb-state">{standing_text(t, status.standing())}</dd>
                                <dt>{t.reference}</dt><dd>{model::reference(&id.get_value())}</dd>
                            </dl>
                            <p class="cb-when">{when}</p>
                            {ask}
                            {chat}
                            {dial}
                            {buttons}
                            {chooser}
                        }
                        .into_any()
                    }
                };
                view! { <p class="cb-status" role="status" aria-live="polite">{m.outcome.map(|o| outcome_text(t, o))}</p>{body} }
            })}
        </section>
    }
}

fn standing_text(t: &'static Texts, standing: Standing) -> &'static str {
    match standing {
        Standing::Scheduled => t.state_scheduled,
        Standing::Waiting => t.state_waiting,
        Standing::Calling => t.state_calling,
        Standing::Cancelled => t.state_cancelled,
        Standing::Done => t.state_done,
    }
}

fn outcome_text(t: &'static Texts, outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Cancelled => t.cancelled,
        Outcome::Rescheduled => t.rescheduled,
        Outcome::Taken => t.taken,
        Outcome::Network => t.network,
        Outcome::NotFound => t.not_found,
    }
}
