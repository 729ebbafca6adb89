//! What only the browser knows: its zone and language, `Intl` date formatting (no locale data in
//! the wasm), file downloads, and keeping keyboard focus inside the dialog.

use crate::model::Date as LocalDate;
use js_sys::{Array, Date, Intl, Object, Reflect};
#[cfg(not(feature = "manage"))]
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

fn set(object: &Object, key: &str, value: &str) {
    let _ = Reflect::set(object, &key.into(), &value.into());
}

/// The browser's IANA zone (`Europe/Paris`).
pub fn zone() -> String {
    let format = Intl::DateTimeFormat::new(&Array::new(), &Object::new());
    Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".into())
}

pub fn language() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".into())
}

#[derive(Clone, Copy)]
pub enum Style {
    Time,
    Day,
    Moment,
}

/// Formats an instant (UTC ISO) for `locale` in `zone`.
pub fn format(utc_iso: &str, locale: &str, zone: &str, style: Style) -> String {
    let options = Object::new();
    set(&options, "timeZone", zone);
    let fields: &[(&str, &str)] = match style {
        Style::Time => &[("hour", "2-digit"), ("minute", "2-digit")],
        Style::Day => &[("weekday", "short"), ("day", "numeric"), ("month", "short")],
        Style::Moment => &[
            ("weekday", "long"),
            ("day", "numeric"),
            ("month", "long"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ],
    };
    for (k, v) in fields {
        set(&options, k, v);
    }
    let format = Intl::DateTimeFormat::new(&Array::of1(&locale.into()), &options);
    format
        .format()
        .call1(&format, &Date::new(&JsValue::from_str(utc_iso)))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| utc_iso.to_string())
}

/// A calendar date's label (`sam. 5 déc.`), whatever the zone.
pub fn day_label(date: LocalDate, locale: &str) -> String {
    format(
        &format!("{}T12:00:00Z", date.iso()),
        locale,
        "UTC",
        Style::Day,
    )
}

/// Today's date in `zone`.
pub fn today(zone: &str) -> LocalDate {
    let options = Object::new();
    for (k, v) in [
        ("timeZone", zone),
        ("year", "numeric"),
        ("month", "2-digit"),
        ("day", "2-digit"),
    ] {
        set(&options, k, v);
    }
    let format = Intl::DateTimeFormat::new(&Array::of1(&"en-CA".into()), &options);
    let text = format
        .format()
        .call1(&format, &Date::new_0())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    LocalDate::parse(&text).unwrap_or_default()
}

#[cfg(not(feature = "manage"))]
pub fn now_iso() -> String {
    Date::new_0().to_iso_string().into()
}

#[cfg(not(feature = "manage"))]
/// Adds `minutes` to a UTC ISO time.
pub fn plus_minutes(utc_iso: &str, minutes: u32) -> String {
    let date = Date::new(&JsValue::from_str(utc_iso));
    Date::new(&JsValue::from_f64(
        date.get_time() + f64::from(minutes) * 60_000.0,
    ))
    .to_iso_string()
    .into()
}

#[cfg(not(feature = "manage"))]
/// Offers `text` as a file download.
pub fn download(filename: &str, text: &str, mime: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(anchor) = document
        .create_element("a")
        .map(|a| a.unchecked_into::<web_sys::HtmlAnchorElement>())
    {
        anchor.set_href(&url);
        anchor.set_download(filename);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

#[cfg(not(feature = "manage"))]
/// The element that has focus in `node`'s tree: its shadow root's, else the document's.
pub fn active_element(node: &web_sys::Node) -> Option<web_sys::Node> {
    let root = node.get_root_node();
    let active = match root.dyn_ref::<web_sys::ShadowRoot>() {
        Some(shadow) => shadow.active_element(),
        None => root
            .dyn_ref::<web_sys::Document>()
            .and_then(|d| d.active_element()),
    };
    active.map(Into::into)
}

#[cfg(not(feature = "manage"))]
/// Keeps Tab and Shift+Tab inside `container` (the dialog). Options of a list other than its tab
/// stop (`tabindex="-1"`) are not stops.
pub fn trap_tab(container: &web_sys::Element, event: &web_sys::KeyboardEvent) {
    let Ok(list) = container.query_selector_all("button:not([disabled]):not([tabindex='-1']), a[href], input:not([disabled]), select, textarea") else { return };
    let (Some(first), Some(last)) = (list.item(0), list.item(list.length().saturating_sub(1)))
    else {
        return;
    };
    let target = match (event.shift_key(), active_element(container)) {
        (true, Some(a)) if a == first => last,
        (false, Some(a)) if a == last => first,
        (_, None) => first,
        _ => return,
    };
    event.prevent_default();
    if let Ok(el) = target.dyn_into::<web_sys::HtmlElement>() {
        let _ = el.focus();
    }
}

thread_local! {
    static TOLD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// One line in the page's console for the site's owner (the visitor sees a plain message), once.
pub fn tell_site_owner(message: &str) {
    if !TOLD.with(|t| t.replace(true)) {
        web_sys::console::error_1(&format!("Callback widget: {message}").into());
    }
}
