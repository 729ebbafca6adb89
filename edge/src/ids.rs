//! Callback ids: `<service>~<22 base64url characters>` (128 random bits). The service part lets
//! any id find its Durable Object with no directory; the random part makes ids unguessable.

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
            && random.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| CallbackId { service: service.to_string(), text: text.to_string() })
    }

    /// A new id from 16 random bytes.
    pub fn new(service: &str, random: [u8; 16]) -> CallbackId {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut bits: u128 = u128::from_be_bytes(random);
        let mut out = String::with_capacity(RANDOM_LEN);
        for _ in 0..RANDOM_LEN {
            out.push(ALPHABET[(bits & 63) as usize] as char);
            bits >>= 6;
        }
        CallbackId { service: service.to_string(), text: format!("{service}~{out}") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_odd_ones_are_refused() {
        let id = CallbackId::new("callback-web", [7; 16]);
        assert_eq!(CallbackId::parse(&id.text), Some(id.clone()));
        assert_eq!(id.text.len(), "callback-web~".len() + 22);
        for bad in ["", "callback-web", "callback-web~short", "a/b~AAAAAAAAAAAAAAAAAAAAAA", "cb~AAAAAAAAAAAAAAAAAAAA%2F", "..%2F~AAAAAAAAAAAAAAAAAAAAAA"] {
            assert!(CallbackId::parse(bad).is_none(), "{bad}");
        }
        assert_ne!(CallbackId::new("s", [1; 16]), CallbackId::new("s", [2; 16]));
    }
}
