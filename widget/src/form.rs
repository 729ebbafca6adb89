use callback_shared::phone::{self, Country, PhonePolicy};
use leptos::prelude::*;

/// The "Call me back" button and its request form.
#[component]
pub fn Widget() -> impl IntoView {
    let (open, set_open) = signal(false);
    let (number, set_number) = signal(String::new());
    let policy = PhonePolicy { default_country: Country::from_iso("US").unwrap_or(Country::all()[0]), disallow_impossible: true, disallow_premium: true };
    let verdict = move || match phone::normalize(&number.get(), &policy) {
        Ok(e164) => format!("We will call {e164}"),
        Err(e) => e.to_string(),
    };
    view! {
        <button class="cb-launcher" on:click=move |_| set_open.update(|o| *o = !*o)>"Call me back"</button>
        <Show when=move || open.get()>
            <form class="cb-dialog" role="dialog" aria-label="Request a callback">
                <label>"Phone" <input type="tel" prop:value=number on:input=move |ev| set_number.set(event_target_value(&ev)) /></label>
                <p aria-live="polite">{verdict}</p>
            </form>
        </Show>
    }
}
