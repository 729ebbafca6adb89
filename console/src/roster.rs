//! The Agents view (admin): every agent with their services, phone and state; add, edit, rotate a
//! token (shown once), remove. The logic is `model::agents`'.

use crate::http::call;
use crate::model::agents::{self as m, AgentForm};
use crate::model::services::{callback_services, Sections};
use crate::supervisor::Sup;
use callback_shared::wire::AgentAnswer;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Clone, Copy)]
struct View {
    s: Sup,
    sections: RwSignal<Sections>,
    form: RwSignal<Option<AgentForm>>,
    removing: RwSignal<Option<AgentAnswer>>,
    /// A token just given, shown once: (agent, token).
    token: RwSignal<Option<(String, String)>>,
}

impl View {
    fn put(self, id: String, body: serde_json::Value) {
        spawn_local(async move {
            let path = format!("/genesys/1/admin/agents/{id}");
            match call::<AgentAnswer>("PUT", &path, &self.s.auth(), Some(body)).await {
                Ok(answer) => {
                    self.form.set(None);
                    if let Some(token) = answer.token {
                        self.token.set(Some((answer.id.clone(), token)));
                    }
                    self.s
                        .notice
                        .set(Some(format!("Agent {} saved.", answer.id)));
                    self.s.refresh();
                }
                Err(f) => self.s.problem.set(Some(f.message)),
            }
        });
    }

    fn remove(self, id: String) {
        spawn_local(async move {
            let path = format!("/genesys/1/admin/agents/{id}");
            match call::<serde_json::Value>("DELETE", &path, &self.s.auth(), None).await {
                Ok(_) => self.s.notice.set(Some(format!("Agent {id} removed."))),
                Err(f) => self.s.problem.set(Some(f.message)),
            }
            self.removing.set(None);
            self.s.refresh();
        });
    }
}

#[component]
pub fn AgentsView(s: Sup) -> impl IntoView {
    let v = View {
        s,
        sections: s.sections(),
        form: RwSignal::new(None),
        removing: RwSignal::new(None),
        token: RwSignal::new(None),
    };
    // Whether the form is open, apart from what is typed in it (which must not re-create it).
    let open = Memo::new(move |_| v.form.with(Option::is_some));
    let agents = move || {
        s.board
            .with(|b| b.as_ref().map(|b| b.agents.clone()).unwrap_or_default())
    };
    view! {
        <section class="roster" aria-labelledby="agents-title">
            <h3 id="agents-title">"Agents"</h3>
            <button class="primary" on:click=move |_| v.form.set(Some(AgentForm::default()))>"Add agent"</button>
            {move || v.token.get().map(|(id, token)| view! { <TokenOnce v=v id=id token=token/> })}
            {move || open.get().then(|| view! { <Form v=v/> })}
            <table class="records">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Id"</th><th scope="col">"Services"</th><th scope="col">"Phone"</th><th scope="col">"State"</th><th scope="col">"Actions"</th></tr></thead>
                <tbody>{move || agents().into_iter().map(|a| row(v, a)).collect::<Vec<_>>()}</tbody>
            </table>
            {move || v.removing.get().map(|a| view! { <ConfirmRemove v=v agent=a/> })}
        </section>
    }
}

fn row(v: View, a: AgentAnswer) -> impl IntoView {
    let (id, name) = (a.id.clone(), a.name.clone());
    let (edit, remove) = (a.clone(), a.clone());
    let rotate = serde_json::json!({
        "name": a.name, "services": a.services, "phone": a.phone.clone().unwrap_or_default(), "rotate_token": true,
    });
    view! {
        <tr>
            <th scope="row">{a.name.clone()}</th>
            <td class="id">{a.id.clone()}</td>
            <td>{a.services.join(", ")}</td>
            <td>{a.phone.clone().unwrap_or_default()}</td>
            <td>{m::state(&a)}</td>
            <td class="acts">
                <button aria-label=format!("Edit {name}") on:click=move |_| v.form.set(Some(AgentForm::edit(&edit)))>"Edit"</button>
                <button aria-label=format!("Rotate the token of {name}")
                    on:click=move |_| v.put(id.clone(), rotate.clone())>"Rotate token"</button>
                <button aria-label=format!("Remove {}", a.name) on:click=move |_| v.removing.set(Some(remove.clone()))>"Remove"</button>
            </td>
        </tr>
    }
}

#[component]
fn Form(v: View) -> impl IntoView {
    let form = move || v.form.get().unwrap_or_default();
    let change = move |f: &dyn Fn(&mut AgentForm)| {
        v.form.update(|d| {
            if let Some(d) = d {
                f(d)
            }
        })
    };
    let first: NodeRef<html::Input> = crate::focused();
    let body = move || v.sections.with(|all| form().body(all));
    let problem = move |field: &'static str| {
        move || body().err().filter(|(f, _)| *f == field).map(|(_, m)| m)
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Ok(body) = body() {
            v.put(form().id.trim().to_string(), body);
        }
    };
    let services = move || {
        v.sections.with(callback_services).into_iter().map(|service| {
            let (checked, toggled) = (service.clone(), service.clone());
            view! {
                <label class="inline"><input type="checkbox" prop:checked=move || form().services.contains(&checked)
                    on:change=move |_| change(&|d| d.toggle(&toggled))/>{service}</label>
            }
        }).collect::<Vec<_>>()
    };
    let title = move || {
        if form().editing {
            format!("Edit agent {}", form().id)
        } else {
            "Add agent".to_string()
        }
    };
    let touched = move || !form().id.is_empty() || form().editing;
    view! {
        <form class="dialog" role="dialog" aria-modal="false" aria-labelledby="agent-form-title" on:submit=save
            on:keydown=move |ev| if ev.key() == "Escape" { v.form.set(None) }>
            <h4 id="agent-form-title">{title}</h4>
            <label for="agent-id">"Id"</label>
            <input id="agent-id" node_ref=first required autocomplete="off" disabled=move || form().editing
                prop:value=move || form().id on:input=move |ev| change(&|d| d.id = event_target_value(&ev))/>
            <span class="option-error">{move || touched().then(problem("id")).flatten()}</span>
            <label for="agent-name">"Name"</label>
            <input id="agent-name" required autocomplete="off" prop:value=move || form().name
                on:input=move |ev| change(&|d| d.name = event_target_value(&ev))/>
            <span class="option-error">{move || touched().then(problem("name")).flatten()}</span>
            <fieldset><legend>"Services"</legend>{services}</fieldset>
            <span class="option-error">{problem("services")}</span>
            <label for="agent-phone">"Phone (E.164, for calls placed for the agent)"</label>
            <input id="agent-phone" type="tel" autocomplete="off" placeholder="+33612345678" prop:value=move || form().phone
                on:input=move |ev| change(&|d| d.phone = event_target_value(&ev))/>
            <span class="option-error">{problem("phone")}</span>
            <div class="acts">
                <button class="primary" type="submit" disabled=move || body().is_err()>"Save agent"</button>
                <button type="button" on:click=move |_| v.form.set(None)>"Cancel"</button>
            </div>
        </form>
    }
}

/// A new token, shown once, with a copy button.
#[component]
fn TokenOnce(v: View, id: String, token: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = token.clone();
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
            copied.set(true);
        }
    };
    view! {
        <div class="dialog token" role="status" aria-labelledby="token-title">
            <h4 id="token-title">{format!("The token of {id}")}</h4>
            <p>"Shown once: give it to the agent now. Any previous token has stopped working."</p>
            <p><code class="id" aria-label="Token">{token}</code></p>
            <div class="acts">
                <button on:click=copy>{move || if copied.get() { "Copied" } else { "Copy token" }}</button>
                <button on:click=move |_| v.token.set(None)>"Done"</button>
            </div>
        </div>
    }
}

#[component]
fn ConfirmRemove(v: View, agent: AgentAnswer) -> impl IntoView {
    let cancel: NodeRef<html::Button> = crate::focused();
    let id = agent.id.clone();
    let held = match &agent.holds {
        Some(callback) => format!(" The callback {callback} they hold goes back to its queue."),
        None => String::new(),
    };
    view! {
        <div class="dialog" role="alertdialog" aria-labelledby="remove-title" aria-describedby="remove-warning"
            on:keydown=move |ev| if ev.key() == "Escape" { v.removing.set(None) }>
            <h4 id="remove-title">{format!("Remove {}", agent.name)}</h4>
            <p id="remove-warning">{format!("Remove the agent {} ({})? Their token stops working at once.{held}", agent.name, agent.id)}</p>
            <div class="acts">
                <button class="danger" on:click=move |_| v.remove(id.clone())>"Remove"</button>
                <button node_ref=cancel on:click=move |_| v.removing.set(None)>"Cancel"</button>
            </div>
        </div>
    }
}
