//! Who is calling: admin (HTTP Basic, credentials from secrets), a server (`X-API-Key`), or the
//! public. A deployment without admin credentials answers 503 on admin paths: there are no
//! built-in credentials.

use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::routes::Access;
use callback_shared::config::Window;
use callback_shared::limits::RateWindows;
use worker::{Env, Request};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Caller {
    Public,
    Server,
    Admin,
}

fn setting(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
        .filter(|s| !s.is_empty())
}

/// Compares in time independent of where the strings differ.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn basic(header: &str) -> Option<(String, String)> {
    let encoded = header
        .strip_prefix("Basic ")
        .or_else(|| header.strip_prefix("basic "))?;
    let decoded = base64_decode(encoded.trim())?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let value = |c: u8| -> Option<u32> { ALPHABET.iter().position(|&a| a == c)?.try_into().ok() };
    let trimmed = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(trimmed.len());
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in trimmed.bytes() {
        acc = (acc << 6) | value(c)?;
        bits = bits.saturating_add(6);
        if bits >= 8 {
            bits = bits.saturating_sub(8);
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// The bearer token of an agent's request. Tokens are `<agent id>.<secret>`: the front finds the
/// agent's object by the id, the object checks the whole token against its hash.
pub fn bearer(req: &Request) -> ApiResult<String> {
    let header = req.headers().get("authorization").ok().flatten();
    // A browser opens a WebSocket without headers of its own: the token is then the query's
    // `access_token` (RFC 6750, 2.3), on that request only.
    let upgrade = http::header(req, "upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    let query = match (&header, upgrade) {
        (None, true) => http::query_params(req)?.get("access_token").cloned(),
        _ => None,
    };
    let token = match (&header, &query) {
        (Some(h), _) => h
            .strip_prefix("Bearer ")
            .or_else(|| h.strip_prefix("bearer "))
            .ok_or(ApiError::BadToken)?,
        (None, Some(q)) => q.as_str(),
        (None, None) => return Err(ApiError::BadToken),
    }
    .trim();
    if token.is_empty() || token.len() > 200 {
        return Err(ApiError::BadToken);
    }
    Ok(token.to_string())
}

/// The agent a token names.
pub fn token_agent(token: &str) -> ApiResult<String> {
    token
        .split_once('.')
        .map(|(agent, _)| agent)
        .filter(|a| callback_shared::config::valid_service_name(a))
        .map(str::to_string)
        .ok_or(ApiError::BadToken)
}

/// Hex SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a request's credentials prove. Credentials that are not ours (another scheme, another
/// gateway's key, wrong ones) prove nothing: the caller is then the public, whatever was wrong.
fn identify(req: &Request, admin: Option<&(String, String)>, server_key: Option<&str>) -> Caller {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let is_admin = header("authorization")
        .as_deref()
        .and_then(basic)
        .zip(admin)
        .is_some_and(|((user, password), (want_user, want_password))| {
            same(user.as_bytes(), want_user.as_bytes())
                & same(password.as_bytes(), want_password.as_bytes())
        });
    // `apikey` is the name Genesys's API gateway gives the same key.
    let is_server = server_key.is_some_and(|want| {
        ["x-api-key", "apikey"]
            .iter()
            .filter_map(|name| header(name))
            .any(|key| same(key.as_bytes(), want.as_bytes()))
    });
    match (is_admin, is_server) {
        (true, _) => Caller::Admin,
        (false, true) => Caller::Server,
        (false, false) => Caller::Public,
    }
}

thread_local! {
    /// Failed authentications per client, in this isolate.
    static FAILURES: std::cell::RefCell<RateWindows> = std::cell::RefCell::new(RateWindows::default());
}

/// Failed authentications a client may make in a minute before its credentialed requests wait
/// out the minute: enough for typos, too few to guess a password or a token.
const FAILURES_ALLOWED: Window = Window {
    limit: 30,
    seconds: 60,
};

/// The client a request comes from (its IP address, as the platform tells it).
pub fn client(req: &Request) -> String {
    req.headers()
        .get("cf-connecting-ip")
        .ok()
        .flatten()
        .unwrap_or_else(|| "unknown".into())
}

/// Refuses a client that failed to authenticate too often lately.
pub fn check_failures(client: &str, now_ms: i64) -> ApiResult<()> {
    match FAILURES.with(|f| f.borrow().over(client, FAILURES_ALLOWED, now_ms)) {
        Some(wait) => Err(ApiError::TooManyRequests(wait)),
        None => Ok(()),
    }
}

/// Counts a failed authentication of a client.
pub fn note_failure(client: &str, now_ms: i64) {
    FAILURES.with(|f| f.borrow_mut().hit(client, FAILURES_ALLOWED, now_ms));
}

/// Refuses a browser's request from another site than ours: its `Origin` when it differs from
/// ours, else a `Sec-Fetch-Site` of `cross-site` or `same-site` (a sibling host). Requests without
/// either (servers, IVRs, curl) are not a browser's. Administration, servers' and agents' routes
/// pass here: a browser keeps Basic credentials after a 401 challenge and would send them with
/// another site's forms.
pub fn same_site(req: &Request) -> ApiResult<()> {
    let own = crate::http::own_origin(req)?;
    let origin = crate::http::header(req, "origin");
    let fetch_site = crate::http::header(req, "sec-fetch-site");
    match from_another_site(origin.as_deref(), fetch_site.as_deref(), &own) {
        Some(site) => Err(ApiError::CrossSite(site)),
        None => Ok(()),
    }
}

fn from_another_site(origin: Option<&str>, fetch_site: Option<&str>, own: &str) -> Option<String> {
    match (origin, fetch_site) {
        // Opaque origins (sandboxed frames, some redirects) send `null`: another site too.
        (Some(origin), _) if origin != own => Some(origin.to_string()),
        (_, Some(site @ ("cross-site" | "same-site"))) => Some(site.to_string()),
        _ => None,
    }
}

/// Identifies the caller and checks it may use a route of `access`. A public route serves
/// everyone (valid credentials still grant what they grant, such as property queries); other
/// routes answer 401 to missing or wrong credentials and 403 to valid ones of too low a rank.
pub fn caller(env: &Env, req: &Request, access: Access) -> ApiResult<Caller> {
    let admin = setting(env, "ADMIN_USER").zip(setting(env, "ADMIN_PASSWORD"));
    let server_key = setting(env, "SERVER_API_KEY");
    match access {
        Access::Admin if admin.is_none() => return Err(ApiError::AdminDisabled),
        Access::Server if admin.is_none() && server_key.is_none() => {
            return Err(ApiError::AdminDisabled)
        }
        // The agent's object checks the token.
        Access::Agent => return Ok(Caller::Public),
        _ => {}
    }
    let identified = identify(req, admin.as_ref(), server_key.as_deref());
    match (access, identified) {
        (Access::Public, _)
        | (Access::Admin, Caller::Admin)
        | (Access::Server, Caller::Admin | Caller::Server) => Ok(identified),
        (_, Caller::Public) => Err(ApiError::Unauthenticated),
        _ => Err(ApiError::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials() {
        assert_eq!(
            basic("Basic YWRtaW46YWRtaW4="),
            Some(("admin".into(), "admin".into()))
        );
        assert_eq!(
            basic("Basic dXNlcjpwYTpzcw=="),
            Some(("user".into(), "pa:ss".into()))
        );
        assert_eq!(basic("Bearer x"), None);
        assert_eq!(basic("Basic !!!"), None);
        assert!(same(b"abc", b"abc") && !same(b"abc", b"abd") && !same(b"abc", b"ab"));
    }

    #[test]
    fn browsers_of_other_sites_are_told_apart() {
        let own = "https://cb.example";
        assert_eq!(from_another_site(None, None, own), None, "a server");
        assert_eq!(from_another_site(Some(own), Some("same-origin"), own), None);
        assert_eq!(from_another_site(None, Some("none"), own), None, "typed in");
        assert_eq!(
            from_another_site(Some("https://evil.example"), None, own).as_deref(),
            Some("https://evil.example")
        );
        assert_eq!(
            from_another_site(Some("null"), None, own).as_deref(),
            Some("null")
        );
        assert_eq!(
            from_another_site(None, Some("cross-site"), own).as_deref(),
            Some("cross-site")
        );
        assert_eq!(
            from_another_site(None, Some("same-site"), own).as_deref(),
            Some("same-site")
        );
    }

    #[test]
    fn agent_tokens_name_their_agent() {
        assert_eq!(token_agent("anna.s3cret").unwrap(), "anna");
        assert!(
            token_agent("no-dot").is_err()
                && token_agent("../x.y").is_err()
                && token_agent(".x").is_err()
        );
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
