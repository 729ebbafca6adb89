//! The Callback API on Cloudflare Workers. This file only wires: see ARCHITECTURE.md.

// A request must never panic the isolate (it drops every in-memory state): outside tests, code
// that could panic on input (overflowing arithmetic, indexing, unwrap/expect) does not compile;
// the few places where it cannot happen say why with a local `allow`.
#![cfg_attr(
    not(test),
    deny(
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

mod access;
mod agent_object;
mod auth;
mod clock;
mod config_object;
mod error;
mod front;
mod http;
mod ids;
mod internal;
mod openapi;
mod reports;
mod routes;
mod service_object;
mod signing;
mod store;
mod telephony;

pub use agent_object::AgentObject;
pub use config_object::ConfigObject;
pub use service_object::ServiceObject;
use worker::{event, Context, Env, Request, Response};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    front::fetch(req, env).await
}
