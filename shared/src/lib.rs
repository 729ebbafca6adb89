//! The callback domain. Pure Rust: no I/O, no clock (callers pass `now`), no wasm-bindgen, no
//! Workers API, no DOM. The edge and the widget share it.

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

pub mod availability;
pub mod builtin;
pub mod capacity;
pub mod chat;
pub mod config;
pub mod create;
pub mod declared;
pub mod delivery;
pub mod iso;
pub mod ivr;
pub mod limits;
pub mod office_hours;
pub mod params;
pub mod phone;
pub mod query;
pub mod queue;
pub mod record;
pub mod scenario;
pub mod stats;
pub mod telephony;
#[cfg(test)]
mod testkit;
pub mod wire;
pub mod zone;
