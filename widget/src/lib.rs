//! The embeddable callback widget. `www/widget/callback.js` creates the shadow root and calls
//! `mount_widget`; the manage page's module (feature `manage`, `www/widget/manage.js`) calls
//! `mount_manage`.

mod api;
mod browser;
#[cfg(not(feature = "manage"))]
mod dialog;
pub mod i18n;
#[cfg(feature = "manage")]
mod manage;
pub mod model;
mod view;

use js_sys::Reflect;
use view::Settings;
use wasm_bindgen::prelude::*;

fn option(options: &JsValue, key: &str) -> Option<String> {
    Reflect::get(options, &key.into())
        .ok()
        .and_then(|v| v.as_string())
        .filter(|s| !s.is_empty())
}

/// Reads `{service, api, locale, consent, manage}` given by the loader.
fn settings(options: &JsValue) -> Result<Settings, JsValue> {
    let service = option(options, "service")
        .ok_or("the widget needs a service name (data-service or service=)")?;
    let base = option(options, "api")
        .ok_or("the widget needs the API's address")?
        .trim_end_matches('/')
        .to_string();
    let lang = i18n::Lang::from_tag(&option(options, "locale").unwrap_or_else(browser::language));
    Ok(Settings {
        manage_page: option(options, "manage").unwrap_or_else(|| format!("{base}/manage.html")),
        api: api::Api { base, service },
        lang,
        zone: browser::zone(),
        consent: option(options, "consent"),
    })
}

/// Mounts the button and its dialog into `root` (inside the host's shadow root).
#[cfg(not(feature = "manage"))]
#[wasm_bindgen]
pub fn mount_widget(root: web_sys::HtmlElement, options: JsValue) -> Result<(), JsValue> {
    let settings = settings(&options)?;
    let mount_point = root.clone();
    leptos::mount::mount_to(mount_point, move || dialog::widget(settings, root)).forget();
    Ok(())
}

/// Mounts the manage view of callback `id` into `root`.
#[cfg(feature = "manage")]
#[wasm_bindgen]
pub fn mount_manage(
    root: web_sys::HtmlElement,
    options: JsValue,
    id: String,
) -> Result<(), JsValue> {
    let settings = settings(&options)?;
    leptos::mount::mount_to(root, move || manage::manage(settings, id)).forget();
    Ok(())
}
