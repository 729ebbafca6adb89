//! Webhook signatures: `X-Callback-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`,
//! with the service's secret (`_webhook_secret`, else the deployment's `WEBHOOK_SECRET`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const HEADER: &str = "x-callback-signature";

fn mac(secret: &str, t: i64, body: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac
}

/// The header value signing `body` at time `t`.
pub fn sign(secret: &str, t: i64, body: &str) -> String {
    let digest = mac(secret, t, body).finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// How far a signed request's time may be from ours (replays older than this are refused).
pub const TOLERANCE_SECS: i64 = 300;

/// Whether `header` signs `body` with `secret`, at a time within five minutes of `now`. Nothing
/// is signed with an empty secret: anyone could.
pub fn verify(secret: &str, header: &str, body: &str, now: i64) -> bool {
    if secret.is_empty() {
        return false;
    }
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = Some(value),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    if now.saturating_sub(t).saturating_abs() > TOLERANCE_SECS || v1.len() != 64 {
        return false;
    }
    let Some(bytes) = v1
        .as_bytes()
        .chunks(2)
        .map(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok())
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    // Constant-time comparison, by the MAC itself.
    mac(secret, t, body).verify_slice(&bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_time_dot_body() {
        let header = sign("key", 1, "{}");
        assert!(header.starts_with("t=1,v1="));
        assert_eq!(header.len(), "t=1,v1=".len() + 64);
        assert_ne!(sign("key", 1, "{}"), sign("key", 2, "{}"));
        assert_ne!(sign("key", 1, "{}"), sign("other", 1, "{}"));
        assert_eq!(sign("key", 1, "{}"), sign("key", 1, "{}"));
    }

    #[test]
    fn verification_needs_the_secret_the_body_and_a_recent_time() {
        let header = sign("s3cret", 1_000, r#"{"outcome":"BUSY"}"#);
        assert!(verify("s3cret", &header, r#"{"outcome":"BUSY"}"#, 1_100));
        assert!(!verify("other", &header, r#"{"outcome":"BUSY"}"#, 1_100));
        assert!(!verify(
            "s3cret",
            &header,
            r#"{"outcome":"ANSWERED"}"#,
            1_100
        ));
        assert!(
            !verify("s3cret", &header, r#"{"outcome":"BUSY"}"#, 1_400),
            "too old"
        );
        for bad in ["", "t=1000", "v1=00", "t=x,v1=00", "t=1000,v1=zz"] {
            assert!(!verify("s3cret", bad, "{}", 1_000), "{bad}");
        }
        assert!(
            !verify("", &sign("", 1_000, "{}"), "{}", 1_000),
            "an empty secret signs nothing"
        );
    }
}
