//! The public Callback API, as the widget uses it: `fetch`, with answers read from the objects
//! `JSON.parse` makes. Reading a few fields by name keeps serde's decoders (and serde_json) out of
//! the wasm, which the size budget needs; the types are `shared`'s wire types.

use crate::model::Problem;
#[cfg(not(feature = "manage"))]
use callback_shared::wire::OfferAnswer;
use callback_shared::wire::{AvailabilityV2, SlotV2};
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    /// `https://host` (no trailing slash).
    pub base: String,
    pub service: String,
}

/// A JSON object as the API answered it.
#[derive(Debug, Clone)]
pub struct Json(JsValue);

impl Json {
    pub fn text(&self, key: &str) -> String {
        Reflect::get(&self.0, &key.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    }

    fn number(&self, key: &str) -> u32 {
        Reflect::get(&self.0, &key.into())
            .ok()
            .and_then(|v| v.as_f64())
            .map(|n| n as u32)
            .unwrap_or(0)
    }

    #[cfg(not(feature = "manage"))]
    fn flag(&self, key: &str) -> bool {
        Reflect::get(&self.0, &key.into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    fn list(&self, key: &str) -> Vec<Json> {
        Reflect::get(&self.0, &key.into())
            .ok()
            .filter(Array::is_array)
            .map(|a| Array::from(&a).iter().map(Json).collect())
            .unwrap_or_default()
    }

    fn keys(&self, key: &str) -> Vec<String> {
        Reflect::get(&self.0, &key.into())
            .ok()
            .filter(JsValue::is_object)
            .map(|o| {
                Object::keys(o.unchecked_ref::<Object>())
                    .iter()
                    .filter_map(|k| k.as_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

async fn call(method: &str, url: &str, body: Option<&[(&str, String)]>) -> Result<Json, Problem> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(pairs) = body {
        let object = Object::new();
        for (k, v) in pairs {
            let _ = Reflect::set(&object, &(*k).into(), &v.into());
        }
        let text = JSON::stringify(&object).map_err(|_| Problem::Other("body".into()))?;
        init.set_body(&text);
        let headers = web_sys::Headers::new().map_err(|_| Problem::Network)?;
        let _ = headers.set("content-type", "application/json");
        init.set_headers(&headers);
    }
    let request = Request::new_with_str_and_init(url, &init).map_err(|_| Problem::Network)?;
    let window = web_sys::window().ok_or(Problem::Network)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| Problem::Network)?
        .unchecked_into();
    let json = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.map(Json).ok(),
        Err(_) => None,
    };
    if response.ok() {
        return json.ok_or_else(|| Problem::Other("unreadable answer".into()));
    }
    let retry = response
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok());
    let body = json.unwrap_or(Json(JsValue::NULL));
    let problem = Problem::from_answer(
        response.status(),
        retry,
        body.text("message"),
        &body.text("exception"),
        body.keys("availability"),
    );
    if let Problem::SiteNotAllowed(message) = &problem {
        crate::browser::tell_site_owner(message);
    }
    Err(problem)
}

impl Api {
    fn callback(&self, rest: &str) -> String {
        format!(
            "{}/genesys/1/service/callback/{}{rest}",
            self.base,
            encode(&self.service)
        )
    }

    #[cfg(feature = "manage")]
    fn one(&self, id: &str) -> String {
        self.callback(&format!("/{}", encode(id)))
    }

    #[cfg(feature = "manage")]
    /// For a callback id: the same API, on the id's service.
    pub fn for_id(&self, id: &str) -> Api {
        Api {
            base: self.base.clone(),
            service: crate::model::service_of(id)
                .unwrap_or(&self.service)
                .to_string(),
        }
    }

    #[cfg(not(feature = "manage"))]
    pub async fn offer(&self) -> Result<OfferAnswer, Problem> {
        let o = call("GET", &self.callback("/offer"), None).await?;
        Ok(OfferAnswer {
            ewt: o.number("ewt"),
            offer: o.flag("offer"),
            open: o.flag("open"),
            position: o.number("position"),
            timezone: o.text("timezone"),
            media: o.text("media"),
        })
    }

    /// Free slots of the next `days` days, with local times in `zone`.
    pub async fn availability(&self, zone: &str, days: u32) -> Result<AvailabilityV2, Problem> {
        let url = format!("{}/genesys/2/service/callback/{}/availability?number-of-days={days}&timezone={}&max-time-slots=1000", self.base, encode(&self.service), encode(zone));
        let a = call("GET", &url, None).await?;
        let slots = a
            .list("slots")
            .iter()
            .map(|s| SlotV2 {
                utc_time: s.text("utcTime"),
                local_time: s.text("localTime"),
                capacity: s.number("capacity"),
                total: s.number("total"),
            })
            .collect();
        Ok(AvailabilityV2 {
            duration_min: a.number("durationMin"),
            timezone: a.text("timezone"),
            slots,
        })
    }

    #[cfg(not(feature = "manage"))]
    /// Creates a callback; answers its id.
    pub async fn create(&self, params: &[(&str, String)]) -> Result<String, Problem> {
        Ok(call("POST", &self.callback(""), Some(params))
            .await?
            .text("_id"))
    }

    #[cfg(feature = "manage")]
    pub async fn get(&self, id: &str) -> Result<Json, Problem> {
        call("GET", &self.one(id), None).await
    }

    #[cfg(feature = "manage")]
    pub async fn cancel(&self, id: &str) -> Result<Json, Problem> {
        call("DELETE", &self.one(id), None).await
    }

    #[cfg(feature = "manage")]
    pub async fn confirm(&self, id: &str) -> Result<Json, Problem> {
        call("POST", &format!("{}/confirm", self.one(id)), Some(&[])).await
    }

    #[cfg(feature = "manage")]
    pub async fn reschedule(&self, id: &str, utc: &str) -> Result<Json, Problem> {
        call(
            "PUT",
            &self.one(id),
            Some(&[("_new_desired_time", utc.to_string())]),
        )
        .await
    }
}
