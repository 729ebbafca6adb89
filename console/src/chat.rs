//! The agent's chats (CHAT.md): one pane per chat they joined, several at once. Each pane reads its
//! transcript from the last index it holds (`model::chat::Chat`) and is rendered once per chat,
//! so what the agent is typing survives the status's refreshes.

use crate::agent::{disposition_form, Agent};
use crate::http::call;
use crate::model::chat::Chat;
use callback_shared::chat::{ChatAnswer, Party};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// The panes of the chats the agent holds.
#[component]
pub fn Chats(a: Agent) -> impl IntoView {
    let ids = Memo::new(move |_| {
        a.status.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.chats
                        .iter()
                        .filter_map(|c| c.callback.get("_id").cloned())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    view! {
        <For each=move || ids.get() key=|id| id.clone() children=move |id| view! { <ChatPane a id/> }/>
    }
}

#[component]
fn ChatPane(a: Agent, id: String) -> impl IntoView {
    let chat = RwSignal::new(Chat::default());
    let draft = RwSignal::new(String::new());
    let typed_at = StoredValue::new(0.0_f64);
    let path = StoredValue::new(format!("/genesys/1/agent/chats/{id}"));
    let key = StoredValue::new(id.clone());
    let read = move || {
        // An ended chat says nothing more, and once its disposition is saved it is no longer the
        // agent's to read (403) until the pane goes.
        if chat.with_untracked(|c| c.ended) {
            return;
        }
        spawn_local(async move {
            let from = chat.with_untracked(|c| c.next);
            let url = format!("{}?from={from}", path.get_value());
            match call::<ChatAnswer>("GET", &url, &a.auth(), None).await {
                Ok(answer) => chat.update(|c| c.take(answer)),
                Err(f) => a.problem.set(Some(f.message)),
            }
        });
    };
    read();
    crate::every(Duration::from_secs(1), read);
    let post = move |act: &'static str, body: serde_json::Value| {
        spawn_local(async move {
            let url = format!("{}/{act}", path.get_value());
            let sent = call::<ChatAnswer>("POST", &url, &a.auth(), Some(body)).await;
            a.problem.set(sent.err().map(|f| f.message));
            read();
            if act == "end" {
                a.refresh();
            }
        });
    };
    let send = move || {
        let text = draft.get_untracked();
        if !text.trim().is_empty() {
            draft.set(String::new());
            typed_at.set_value(0.0);
            post("send", serde_json::json!({ "text": text }));
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        draft.set(event_target_value(&ev));
        // Said at most every five seconds: the customer sees "typing", not each key.
        let now = js_sys::Date::now();
        if now - typed_at.get_value() > 5000.0 {
            typed_at.set_value(now);
            post("typing", serde_json::json!({}));
        }
    };
    // Its own memo: the pane's field is drawn again only when the phase changes.
    let phase = Memo::new(move |_| {
        a.status.with(|s| {
            let id = key.get_value();
            s.as_ref()
                .and_then(|s| s.chats.iter().find(|c| c.callback.get("_id") == Some(&id)))
                .and_then(|c| c.callback.get("_phase").cloned())
                .unwrap_or_default()
        })
    });
    let title = format!("chat-{id}-title");
    let labelled = title.clone();
    let log = format!("chat-{id}-log");
    let log_label = log.clone();
    let field = format!("chat-{id}-message");
    let lines = move || chat.with(|c| c.lines.clone());
    view! {
        <article class="offer chat" aria-labelledby=labelled>
            <h3 id=title>{move || format!("Chat with {}", chat.with(Chat::name))}</h3>
            <p role="status">{move || chat.with(|c| c.notice.clone())}</p>
            <h4 id=log>"Conversation"</h4>
            <div role="log" aria-labelledby=log_label>
                <ol class="log">
                    <For each=lines key=|e| e.index children=move |e| {
                        let who = if e.party == Party::Agent { "You".to_string() } else { e.nickname.clone() };
                        view! { <li class:mine=e.party == Party::Agent><strong>{format!("{who}: ")}</strong>{e.text.clone()}</li> }
                    }/>
                </ol>
            </div>
            <p class="typing" aria-hidden="true">{move || chat.with(|c| c.typing.then(|| format!("{} is typing…", c.name())))}</p>
            {move || if phase.get() == "disposition" {
                disposition_form(a, format!("callbacks/{}/disposition", key.get_value())).into_any()
            } else {
                let field = field.clone();
                view! {
                    <label for=field.clone()>"Message"</label>
                    <textarea id=field rows="2" maxlength="4000" disabled=move || chat.with(|c| c.ended)
                        prop:value=move || draft.get() on:input=on_input on:keydown=on_key></textarea>
                    <div class="acts">
                        <button class="primary" on:click=move |_| send() disabled=move || chat.with(|c| c.ended)>"Send"</button>
                        <button on:click=move |_| post("end", serde_json::json!({}))>"End chat"</button>
                    </div>
                }.into_any()
            }}
        </article>
    }
}
