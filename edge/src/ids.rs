//! Callback ids: `<service>~<22 base64url characters>` (128 random bits). The service part lets
//! any id find its Durable Object with no directory; the random part makes ids unguessable.

use std::collections::BTreeMap;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]);
}

/// 16 bytes from the runtime's cryptographic random source.
pub fn random16() -> [u8; 16] {
    let mut buf = [0u8; 16];
    get_random_values(&mut buf);
    buf
}

/// `bytes` in base64url without padding.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .zip([16u32, 8, 0])
            .fold(0u32, |acc, (b, shift)| acc | (u32::from(*b) << shift));
        // 1, 2 or 3 bytes make 2, 3 or 4 characters.
        for shift in [18u32, 12, 6, 0]
            .into_iter()
            .take(chunk.len().saturating_add(1))
        {
            let sextet = usize::try_from((n >> shift) & 63).unwrap_or_default();
            out.extend(ALPHABET.get(sextet).map(|&c| char::from(c)));
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackId {
    pub service: String,
    pub text: String,
}

const RANDOM_LEN: usize = 22;

impl CallbackId {
    pub fn parse(text: &str) -> Option<CallbackId> {
        let (service, random) = text.rsplit_once('~')?;
        let ok = callback_shared::config::valid_service_name(service)
            && random.len() == RANDOM_LEN
            && random
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| CallbackId {
            service: service.to_string(),
            text: text.to_string(),
        })
    }

    /// A new id from 16 random bytes (22 characters of base64url).
    pub fn new(service: &str, random: [u8; 16]) -> CallbackId {
        CallbackId {
            service: service.to_string(),
            text: format!("{service}~{}", base64url(&random)),
        }
    }
}

/// Ids of a bulk cancel, grouped by the service object that holds them; and those that are no ids.
pub fn group_by_service(ids: &[String]) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for id in ids {
        match CallbackId::parse(id) {
            Some(parsed) => groups.entry(parsed.service).or_default().push(id.clone()),
            None => unknown.push(id.clone()),
        }
    }
    (groups, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_without_padding() {
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn ids_round_trip_and_odd_ones_are_refused() {
        let id = CallbackId::new("callback-web", [7; 16]);
        assert_eq!(CallbackId::parse(&id.text), Some(id.clone()));
        assert_eq!(id.text.len(), "callback-web~".len() + 22);
        for bad in [
            "",
            "callback-web",
            "callback-web~short",
            "a/b~AAAAAAAAAAAAAAAAAAAAAA",
            "cb~AAAAAAAAAAAAAAAAAAAA%2F",
            "..%2F~AAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert!(CallbackId::parse(bad).is_none(), "{bad}");
        }
        assert_ne!(CallbackId::new("s", [1; 16]), CallbackId::new("s", [2; 16]));
    }
}
