//! The agent's view: sign in with the token, ready / not ready, then the offer or reservation —
//! preview with a countdown, accept / reject, click to dial, the call's outcome, the disposition;
//! the chats they joined (`chat.rs`).

use crate::http::{self, call, Auth};
use crate::model::{self, OUTCOMES};
use callback_shared::wire::{AgentOffer, AgentStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// Handles shared by the view's parts (all `Copy`).
#[derive(Clone, Copy)]
pub(crate) struct Agent {
    token: RwSignal<String>,
    pub(crate) status: RwSignal<Option<AgentStatus>>,
    pub(crate) problem: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    /// The clock of the countdowns (ms), ticking each second.
    now: RwSignal<f64>,
}

impl Agent {
    pub(crate) fn auth(&self) -> Auth {
        Auth::Bearer(self.token.get_untracked())
    }

    pub(crate) fn refresh(self) {
        spawn_local(async move {
            crate::show(
                call::<AgentStatus>("GET", "/genesys/1/agent/offer", &self.auth(), None).await,
                self.status,
                self.problem,
            );
        });
    }

    /// POSTs one of the agent's acts (`ready`, `offer/{id}/accept`, …), then reads the status.
    fn act(self, path: String, body: Option<serde_json::Value>) {
        spawn_local(async move {
            self.busy.set(true);
            let done = call::<serde_json::Value>(
                "POST",
                &format!("/genesys/1/agent/{path}"),
                &self.auth(),
                body,
            )
            .await;
            self.busy.set(false);
            self.problem.set(done.err().map(|f| f.message));
            self.refresh();
        });
    }
}

#[component]
pub fn AgentView() -> impl IntoView {
    let a = Agent {
        token: RwSignal::new(http::recall("agent-token")),
        status: RwSignal::new(None),
        problem: RwSignal::new(None),
        busy: RwSignal::new(false),
        now: RwSignal::new(js_sys::Date::now()),
    };
    if !a.token.get_untracked().is_empty() {
        a.refresh();
    }
    crate::every(Duration::from_secs(1), move || {
        a.now.set(js_sys::Date::now());
        if a.status.get_untracked().is_some() {
            a.refresh();
        }
    });
    let sign_in = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        http::remember("agent-token", &a.token.get_untracked());
        a.refresh();
    };
    view! {
        <section class="panel" aria-labelledby="agent-title">
            <h2 id="agent-title">"Agent"</h2>
            <p class="problem" role="alert">{move || a.problem.get()}</p>
            {move || match a.status.get() {
                None => view! {
                    <form class="signin" on:submit=sign_in>
                        <label for="agent-token">"Your agent token"</label>
                        <input id="agent-token" type="password" autocomplete="off" required
                            prop:value=move || a.token.get() on:input=move |ev| a.token.set(event_target_value(&ev))/>
                        <button type="submit">"Sign in"</button>
                    </form>
                }.into_any(),
                Some(status) => signed_in(a, status).into_any(),
            }}
            <Show when=move || a.status.with(Option::is_some)>
                <crate::chat::Chats a/>
            </Show>
        </section>
    }
}

fn signed_in(a: Agent, status: AgentStatus) -> impl IntoView {
    let ready = status.ready;
    let services = status.services.join(", ");
    view! {
        <div class="agent-head">
            <p><strong>{status.name.clone()}</strong> " · " {services}</p>
            <p class="state" class:ready=ready aria-live="polite">{if ready { "Ready" } else { "Not ready" }}</p>
            {if ready {
                view! { <button on:click=move |_| a.act("not-ready".into(), None) disabled=move || a.busy.get()>"Not ready"</button> }.into_any()
            } else {
                view! { <button class="primary" on:click=move |_| a.act("ready".into(), None) disabled=move || a.busy.get()>"Ready"</button> }.into_any()
            }}
        </div>
        {match status.offer {
            Some(offer) => offer_view(a, offer).into_any(),
            None => view! { <p class="idle" aria-live="polite">{if ready { "Waiting for a callback…" } else { "Set yourself ready to receive callbacks." }}</p> }.into_any(),
        }}
    }
}

fn offer_view(a: Agent, offer: AgentOffer) -> impl IntoView {
    let field = |k: &str| offer.callback.get(k).cloned().unwrap_or_default();
    let (id, phase, number) = (field("_id"), field("_phase"), field("_customer_number"));
    // Where the call is, when a telephony provider places it.
    let progress = offer
        .callback
        .get("_call_progress")
        .map(|p| view! { <p class="progress" aria-live="polite">{format!("Call: {p}")}</p> });
    let title = match (phase.as_str(), offer.dialer) {
        ("offered", _) => "New callback: accept or reject",
        ("confirming", _) => "Waiting for the customer to confirm",
        ("dialing", true) => "Calling the customer",
        ("dialing", false) => "Call the customer",
        ("connected", _) => "On the call",
        ("disposition", _) => "Record the call's outcome",
        _ => "Your callback",
    };
    let deadline = offer.deadline.as_deref().map(js_sys::Date::parse);
    let countdown =
        deadline.map(|ms| move || format!("{} s left", model::seconds_left(ms, a.now.get())));
    let rows: Vec<_> = offer
        .preview
        .iter()
        .map(|(k, v)| view! { <tr><th scope="row">{k.clone()}</th><td>{v.clone()}</td></tr> })
        .collect();
    let path = move |act: &str| format!("callbacks/{}/{act}", id.clone());
    let offer_path = {
        let id = field("_id");
        move |act: &str| format!("offer/{id}/{act}")
    };
    let acts = match (phase.as_str(), offer.dialer) {
        ("offered", _) => {
            let (accept, reject) = (offer_path("accept"), offer_path("reject"));
            view! {
                <div class="acts">
                    <button class="primary" on:click=move |_| a.act(accept.clone(), None)>"Accept"</button>
                    <button on:click=move |_| a.act(reject.clone(), None)>"Reject"</button>
                </div>
            }.into_any()
        }
        ("dialing", false) => {
            let result = path("dial-result");
            let buttons: Vec<_> = OUTCOMES
                .iter()
                .map(|(outcome, label)| {
                    let result = result.clone();
                    view! { <button on:click=move |_| a.act(result.clone(), Some(serde_json::json!({"outcome": outcome})))>{*label}</button> }
                })
                .collect();
            view! {
                <p><a class="dial" href=format!("tel:{number}")>{format!("Call {number}")}</a></p>
                <div class="acts" role="group" aria-label="Outcome of the call">{buttons}</div>
            }
            .into_any()
        }
        ("connected", _) => {
            let end = path("end");
            view! { <div class="acts"><button class="primary" on:click=move |_| a.act(end.clone(), None)>"End call"</button></div> }.into_any()
        }
        ("disposition", _) => disposition_form(a, path("disposition")).into_any(),
        _ => view! { <span></span> }.into_any(),
    };
    view! {
        <article class="offer" aria-labelledby="offer-title">
            <h3 id="offer-title">{title}</h3>
            {countdown.map(|c| view! { <p class="countdown" aria-live="off">{c}</p> })}
            {progress}
            <table class="preview"><tbody>{rows}</tbody></table>
            {acts}
        </article>
    }
}

/// The form of the callback at `path` (`callbacks/{id}/disposition`): ids of its own, as several
/// chats may await theirs at once.
pub(crate) fn disposition_form(a: Agent, path: String) -> impl IntoView {
    let stem = path.replace(['/', '~'], "-");
    let (code_id, note_id, codes) = (
        format!("{stem}-code"),
        format!("{stem}-note"),
        format!("{stem}-codes"),
    );
    let code = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        a.act(
            path.clone(),
            Some(serde_json::json!({"code": code.get_untracked(), "note": note.get_untracked()})),
        );
    };
    view! {
        <form class="disposition" on:submit=save>
            <label for=code_id.clone()>"Outcome code"</label>
            <input id=code_id list=codes.clone() required maxlength="100" prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
            <datalist id=codes>
                <option value="SALE"></option>
                <option value="NO_SALE"></option>
                <option value="FOLLOW_UP"></option>
                <option value="RESOLVED"></option>
                <option value="WRONG_PERSON"></option>
            </datalist>
            <label for=note_id.clone()>"Note"</label>
            <textarea id=note_id maxlength="2000" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            <button class="primary" type="submit">"Save disposition"</button>
        </form>
    }
}
