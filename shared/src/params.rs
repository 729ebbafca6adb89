//! Request parameters: a flat map of string values read from a JSON object or a form body.
//! GMS clients send every value as a string; numbers and booleans are accepted and kept as text.

use std::collections::BTreeMap;

pub type Params = BTreeMap<String, String>;

/// The value of `key`, trimmed, when it is given and not blank (an empty value means "not given").
pub fn given<'a>(params: &'a Params, key: &str) -> Option<&'a str> {
    params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("the body is not valid JSON: {0}")]
    Json(String),
    #[error("the body must be a JSON object")]
    NotAnObject,
    #[error("`{0}` must be a string, number or boolean, not an object or array")]
    Nested(String),
    #[error("the body is not valid form data")]
    Form,
}

pub fn from_json(body: &str) -> Result<Params, ParamError> {
    if body.trim().is_empty() {
        return Ok(Params::new());
    }
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| ParamError::Json(e.to_string()))?;
    let object = value.as_object().ok_or(ParamError::NotAnObject)?;
    object
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => return Err(ParamError::Nested(k.clone())),
            };
            Ok((k.clone(), text))
        })
        .collect()
}

/// Decodes `application/x-www-form-urlencoded` (also a query string).
pub fn from_form(body: &str) -> Result<Params, ParamError> {
    pairs(body).map(|pairs| pairs.into_iter().collect())
}

/// A form body as the JSON object an admin route reads: each key once is a string, a key given
/// more than once (or written `key[]`) a list of strings, in order. Fields that are lists or flags
/// read such strings with [`one_or_many`] and [`flag`].
pub fn form_as_json(body: &str) -> Result<serde_json::Value, ParamError> {
    let mut object = serde_json::Map::new();
    for (key, value) in pairs(body)? {
        let (key, listed) = match key.strip_suffix("[]") {
            Some(key) => (key.to_string(), true),
            None => (key, false),
        };
        let value = serde_json::Value::String(value);
        match object.get_mut(&key) {
            Some(serde_json::Value::Array(list)) => list.push(value),
            Some(first) => *first = serde_json::Value::Array(vec![first.take(), value]),
            None if listed => {
                object.insert(key, serde_json::Value::Array(vec![value]));
            }
            None => {
                object.insert(key, value);
            }
        }
    }
    Ok(serde_json::Value::Object(object))
}

/// A list field written as a JSON list, or as text with commas (`a,b`), as a form sends it.
pub fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Either {
        Many(Vec<String>),
        One(String),
    }
    Ok(match serde::Deserialize::deserialize(d)? {
        Either::Many(list) => list,
        Either::One(text) => list(&text),
    })
}

/// Names written with commas, as GMS options and forms write lists: trimmed, blanks dropped.
pub fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A flag written as a JSON boolean, or as the text `true` or `false`, as a form sends it.
pub fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Either {
        Bool(bool),
        Text(String),
    }
    match serde::Deserialize::deserialize(d)? {
        Either::Bool(b) => Ok(b),
        Either::Text(text) => match text.trim() {
            "true" => Ok(true),
            "false" | "" => Ok(false),
            other => Err(serde::de::Error::custom(format!(
                "expected true or false, not `{other}`"
            ))),
        },
    }
}

/// The pairs of a form body or query string, in order (keys may repeat).
pub fn pairs(body: &str) -> Result<Vec<(String, String)>, ParamError> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

fn decode(text: &str) -> Result<String, ParamError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes.iter();
    while let Some(&b) = rest.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = [
                    *rest.next().ok_or(ParamError::Form)?,
                    *rest.next().ok_or(ParamError::Form)?,
                ];
                let hex = std::str::from_utf8(&hex).map_err(|_| ParamError::Form)?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| ParamError::Form)?);
            }
            b => out.push(b),
        }
    }
    String::from_utf8(out).map_err(|_| ParamError::Form)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn json_values_become_strings() {
        let p = from_json(
            r#"{"_customer_number": "5115", "age": 42, "vip": true, "_callback_state": null}"#,
        )
        .unwrap();
        assert_eq!(p.get("age").map(String::as_str), Some("42"));
        assert_eq!(p.get("vip").map(String::as_str), Some("true"));
        assert!(!p.contains_key("_callback_state"));
        assert_eq!(
            from_json(r#"{"a": {"b": 1}}"#),
            Err(ParamError::Nested("a".into()))
        );
        assert_eq!(from_json("[1]"), Err(ParamError::NotAnObject));
        assert!(matches!(from_json("{"), Err(ParamError::Json(_))));
    }

    #[test]
    fn form_bodies_as_gms_samples_send_them() {
        let p = from_form("_customer_number=%2B33+6+12+34+56+78&first_name=Fran%C3%A7oise&_desired_time=2026-12-01T09%3A15%3A00.000Z").unwrap();
        assert_eq!(p["_customer_number"], "+33 6 12 34 56 78");
        assert_eq!(p["first_name"], "Françoise");
        assert_eq!(p["_desired_time"], "2026-12-01T09:15:00.000Z");
        assert_eq!(from_form("a=%zz"), Err(ParamError::Form));
        assert_eq!(from_form("a=%ff"), Err(ParamError::Form));
    }

    #[test]
    fn forms_read_as_json_objects() {
        let v = form_as_json("ids=a&ids=b&reason=late&one[]=x&flag=true").unwrap();
        assert_eq!(
            v,
            serde_json::json!({"ids": ["a", "b"], "reason": "late", "one": ["x"], "flag": "true"})
        );
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Body {
            #[serde(deserialize_with = "one_or_many")]
            ids: Vec<String>,
            #[serde(deserialize_with = "flag")]
            flag: bool,
        }
        let read = |v| serde_json::from_value::<Body>(v).ok();
        let both = |ids: &[&str], flag| {
            Some(Body {
                ids: ids.iter().map(|s| s.to_string()).collect(),
                flag,
            })
        };
        assert_eq!(
            read(serde_json::json!({"ids": "a, b", "flag": "false"})),
            both(&["a", "b"], false)
        );
        assert_eq!(
            read(serde_json::json!({"ids": ["a"], "flag": true})),
            both(&["a"], true)
        );
        assert_eq!(read(serde_json::json!({"ids": "a", "flag": "yes"})), None);
        assert_eq!(form_as_json("a=%zz"), Err(ParamError::Form));
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,60}") {
            let _ = from_json(&s);
            let _ = from_form(&s);
            let _ = form_as_json(&s);
        }
    }
}
