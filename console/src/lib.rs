//! The agent and supervisor console, mounted by `www/console.js` into `www/console.html`.
//! Logic lives in `model` (tested natively); the views only show it.

mod agent;
mod chat;
mod http;
pub mod model;
mod reports;
mod roster;
mod services;
mod supervisor;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// Runs `tick` every `period` while the calling view lives (its signals go with it).
fn every(period: std::time::Duration, tick: impl Fn() + 'static) {
    if let Ok(handle) = set_interval_with_handle(tick, period) {
        on_cleanup(move || handle.clear());
    }
}

/// A node that takes the focus when it appears: a dialog's first field, or its safe button.
fn focused<E>() -> NodeRef<E>
where
    E: leptos::html::ElementType,
    E::Output: wasm_bindgen::JsCast + Clone + 'static,
{
    let node = NodeRef::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            let _ = wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&el).focus();
        }
    });
    node
}

/// Shows a periodic read: a value unchanged is not set again (forms being filled keep their
/// input); refused credentials sign out; any failure is shown as the problem.
fn show<T: PartialEq + Send + Sync + 'static>(
    answer: Result<T, http::Failure>,
    shown: RwSignal<Option<T>>,
    problem: RwSignal<Option<String>>,
) {
    match answer {
        Ok(value) => {
            if shown.with_untracked(|s| s.as_ref() != Some(&value)) {
                shown.set(Some(value));
            }
            problem.set(None);
        }
        Err(failure) => {
            if failure.status == 401 {
                shown.set(None);
            }
            problem.set(Some(failure.message));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Agent,
    Supervisor,
}

/// Mounts the console into `root`; `#supervisor` in the address opens the supervisor's view.
#[wasm_bindgen]
pub fn mount_console(root: web_sys::HtmlElement) {
    leptos::mount::mount_to(root, App).forget();
}

#[component]
fn App() -> impl IntoView {
    let start = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .filter(|h| h == "#supervisor")
        .map_or(Tab::Agent, |_| Tab::Supervisor);
    let tab = RwSignal::new(start);
    let button = move |which: Tab, label: &'static str| {
        view! { <button role="tab" aria-selected=move || (tab.get() == which).to_string() on:click=move |_| tab.set(which)>{label}</button> }
    };
    view! {
        <nav class="tabs" role="tablist" aria-label="Console views">
            {button(Tab::Agent, "Agent")}
            {button(Tab::Supervisor, "Supervisor")}
        </nav>
        {move || match tab.get() {
            Tab::Agent => view! { <agent::AgentView/> }.into_any(),
            Tab::Supervisor => view! { <supervisor::SupervisorView/> }.into_any(),
        }}
    }
}
