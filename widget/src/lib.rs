//! The embeddable callback widget.

mod form;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Mounts the widget in a shadow root of `host`, so that the page's CSS and ours stay apart.
#[wasm_bindgen]
pub fn mount(host: web_sys::HtmlElement, css: String) -> Result<(), JsValue> {
    let shadow = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let style = document.create_element("style")?;
    style.set_text_content(Some(&css));
    shadow.append_child(&style)?;
    let root: web_sys::HtmlElement = document.create_element("div")?.unchecked_into();
    shadow.append_child(&root)?;
    leptos::mount::mount_to(root, form::Widget).forget();
    Ok(())
}
