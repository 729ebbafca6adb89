//! Webhook signatures: `X-Callback-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`,
//! with the service's secret (`_webhook_secret`, else the deployment's `WEBHOOK_SECRET`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const HEADER: &str = "x-callback-signature";

fn mac(secret: &str, t: i64, body: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
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
}
