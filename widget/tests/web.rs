//! Component tests: the real widget mounted in headless Chromium (`make unit` runs them with
//! wasm-bindgen-test-runner and chromedriver). The API address is unreachable on purpose: the
//! views must work, and fail politely, without a server.

#![cfg(target_arch = "wasm32")]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

async fn frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 30);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A fresh shadow root with the widget mounted in it, next to a button as the loader draws it.
fn mounted(locale: &str) -> web_sys::ShadowRoot {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let shadow = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap();
    let mount_point: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    mount_point.set_class_name("cb");
    let launcher = document.create_element("button").unwrap();
    launcher.set_class_name("cb-launcher");
    launcher.set_text_content(Some("Call me back"));
    mount_point.append_child(&launcher).unwrap();
    shadow.append_child(&mount_point).unwrap();
    let options = js_sys::Object::new();
    for (k, v) in [
        ("service", "callback-web"),
        ("api", "http://127.0.0.1:9"),
        ("locale", locale),
    ] {
        js_sys::Reflect::set(&options, &k.into(), &v.into()).unwrap();
    }
    callback_widget::mount_widget(mount_point, JsValue::from(options)).unwrap();
    shadow
}

fn find(root: &web_sys::ShadowRoot, selector: &str) -> Option<HtmlElement> {
    root.query_selector(selector)
        .unwrap()
        .map(|e| e.unchecked_into())
}

/// Opens the dialog, types `number` and asks for a time; answers the number field.
async fn ask_time_for(root: &web_sys::ShadowRoot, number: &str) -> web_sys::HtmlInputElement {
    find(root, ".cb-launcher").unwrap().click();
    frame().await;
    let field: web_sys::HtmlInputElement = find(root, "input[type=tel]").unwrap().unchecked_into();
    field.set_value(number);
    field
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    find(root, "[data-k=choose]").unwrap().click();
    frame().await;
    field
}

#[wasm_bindgen_test]
async fn the_launcher_opens_a_labelled_modal_dialog_and_escape_closes_it() {
    let root = mounted("en");
    let launcher = find(&root, ".cb-launcher").expect("a launcher");
    assert!(find(&root, ".cb-dialog").is_none());
    launcher.click();
    frame().await;
    let dialog = find(&root, ".cb-dialog").expect("a dialog");
    assert_eq!(dialog.get_attribute("role").as_deref(), Some("dialog"));
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    assert_eq!(
        find(&root, "#cb-title").unwrap().text_content().unwrap(),
        "Request a callback"
    );
    assert_eq!(
        root.active_element()
            .and_then(|a| a.get_attribute("data-k"))
            .as_deref(),
        Some("name"),
        "focus moves into the dialog"
    );
    let init = KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    dialog
        .dispatch_event(
            &KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
        )
        .unwrap();
    frame().await;
    assert!(find(&root, ".cb-dialog").is_none());
}

#[wasm_bindgen_test]
async fn an_impossible_number_is_refused_before_anything_is_sent() {
    let root = mounted("en");
    let number = ask_time_for(&root, "12").await;
    assert_eq!(
        number.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        find(&root, "#cb-number-error")
            .unwrap()
            .text_content()
            .unwrap(),
        "Please check the phone number."
    );
    assert!(find(&root, ".cb-days").is_none(), "still on the form");
}

#[wasm_bindgen_test]
async fn languages_come_from_the_locale_attribute() {
    for (locale, text) in [
        ("fr", "Demander un rappel"),
        ("de-AT", "Rückruf anfordern"),
        ("es", "Solicitar una llamada"),
    ] {
        let root = mounted(locale);
        find(&root, ".cb-launcher").unwrap().click();
        frame().await;
        assert_eq!(
            find(&root, "#cb-title").unwrap().text_content().unwrap(),
            text
        );
    }
}

#[wasm_bindgen_test]
async fn without_a_server_the_slot_picker_says_so() {
    let root = mounted("en");
    ask_time_for(&root, "+33 6 12 34 56 78").await;
    for _ in 0..50 {
        frame().await;
        if find(&root, ".cb-body .cb-problem").is_some() {
            break;
        }
    }
    assert_eq!(
        find(&root, ".cb-body .cb-problem")
            .expect("an error")
            .text_content()
            .unwrap(),
        "We could not reach the service. Check your connection and try again."
    );
}
